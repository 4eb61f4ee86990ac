"""FollowTheMoney: a group exported and read back gives the same persons and
identifiers; every entity is one the FtM model accepts as it is; FtM persons from a
sanctions-style source become person records that resolution searches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from followthemoney import model
from sqlalchemy import func, select

from scamnet.core.access import Actor
from scamnet.core.entities import Person
from scamnet.interop.ftm_read import UnreadableEntities, parse_lines, read_entities
from scamnet.interop.service import import_ftm
from scamnet.store import Store
from scamnet.store.interop import InteropQueries
from scamnet.store.models import AuditRow, PersonRow, PersonSourceRow
from scamnet.store.resolution import source_records
from tests.interop.conftest import Cli
from tests.support.users import register

ACTOR = Actor("ana", "CN-YN-DH")


def _store(world: Path) -> Store:
    return Store(f"sqlite:///{world / 'scamnet.db'}")


def _group_truth(world: Path, gid: int) -> tuple[list[Person], set[str]]:
    """The group's persons (as the store holds them) and every identifier of the group."""
    store = _store(world)
    with store.session() as s:
        q = InteropQueries(s)
        nodes = q.nodes(gid)
        pids = {n.person_id for n in nodes if n.person_id} | {
            m.person_id for m in q.memberships(gid)
        }
        persons = q.persons(pids)
    store.dispose()
    keys = {n.node for n in nodes} | {i.graph_key for p in persons for i in p.identifiers}
    return persons, keys


def _shape(p: Person) -> tuple[object, ...]:
    return (
        tuple(n.text for n in p.names),
        p.birth_date,
        p.nationality,
        frozenset(p.documents),
        frozenset(i.graph_key for i in p.identifiers),
    )


@pytest.mark.slow
def test_a_group_read_back_gives_the_same_persons_and_identifiers(
    world: Path, cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "g1.ftm.jsonl"
    said = cli("export", "ftm", "--group", "1", "--out", str(out))
    assert "persons" in said and "calls" in said and "payments" in said
    entities = parse_lines(out.read_text(encoding="utf-8").splitlines())
    read = read_entities(entities)
    persons, keys = _group_truth(world, 1)
    assert len(persons) > 10
    assert sorted(map(_shape, read.persons.values()), key=str) == sorted(
        map(_shape, persons), key=str
    )
    assert read.identifiers == keys
    assert read.skipped == []
    schemata = {e.schema.name for e in entities}
    # Persons, phones, accounts, wallets, payments, calls and memberships, as FtM models them.
    assert {
        "Person",
        "UserAccount",
        "BankAccount",
        "CryptoWallet",
        "Payment",
        "Call",
        "Membership",
        "Organization",
        "Identification",
    } <= schemata

    # Into an empty store: the same persons come out of it again.
    empty = tmp_path / "empty"
    register(empty, "ana")
    cli_empty = ["--data-dir", str(empty), "--agency", "CN-YN-DH", "--user", "ana"]
    from typer.testing import CliRunner

    from scamnet.cli.main import app

    result = CliRunner().invoke(app, ["import", "ftm", str(out), "--source", "dh-g1", *cli_empty])
    assert result.exit_code == 0, result.output
    assert f"{len(persons)} persons added" in result.output
    store = Store(f"sqlite:///{empty / 'scamnet.db'}")
    with store.session() as s:
        stored = InteropQueries(s).persons(s.scalars(select(PersonRow.id)))
        assert sorted(map(_shape, stored), key=str) == sorted(map(_shape, persons), key=str)
        # Each is a person record of the source, which `resolve persons` reads.
        uids = {r.uid for r in source_records(s)}
        assert sum(u.startswith("person:dh-g1:") for u in uids) == len(persons)
        assert s.scalar(select(func.count()).where(AuditRow.action == "interop.import")) == 1
    again = CliRunner().invoke(app, ["import", "ftm", str(out), "--source", "dh-g1", *cli_empty])
    assert f"0 persons added, 0 joined to known persons by document, {len(persons)} already" in (
        again.output
    )
    store.dispose()


@pytest.mark.slow
def test_every_entity_passes_ftm_validate_unchanged(cli: Cli, tmp_path: Path) -> None:
    out, checked = tmp_path / "all.ftm.jsonl", tmp_path / "checked.jsonl"
    cli("export", "ftm", "--out", str(out))
    ftm = Path(sys.executable).parent / "ftm"  # the library's own command-line tool
    subprocess.run([str(ftm), "validate", "-i", str(out), "-o", str(checked)], check=True)
    mine = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    theirs = [json.loads(line) for line in checked.read_text(encoding="utf-8").splitlines()]
    # `ftm validate` re-parses and re-cleans every value: nothing may be dropped or changed.
    assert {e["id"]: e["properties"] for e in theirs} == {e["id"]: e["properties"] for e in mine}
    for e in mine:
        proxy = model.get_proxy(e, cleaned=False)
        assert proxy.schema.validate(e) is None
        assert all(proxy.has(p) for p in proxy.schema.required), (e["schema"], e["id"])
    ids = {e["id"] for e in mine}
    for e in mine:  # every reference points at an entity in the file
        proxy = model.get_proxy(e)
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in ids, (e["schema"], prop.name)


def _sanctions_entities() -> list[str]:
    person = {
        "id": "NK-ming",
        "schema": "Person",
        "properties": {
            "name": ["MING Xuechang"],
            "alias": ["明学昌"],
            "birthDate": ["1955-01-01"],
            "nationality": ["cn"],
            "passportNumber": ["E12345678"],
            "phone": ["+8613800138000"],
            "topics": ["sanction"],
        },
    }
    wallet = {
        "id": "NK-w1",
        "schema": "CryptoWallet",
        "properties": {
            "publicKey": ["0x52908400098527886E0F7030069857D2E4169EE7"],
            "holder": ["NK-ming"],
        },
    }
    bad_phone = {
        "id": "NK-other",
        "schema": "Person",
        "properties": {"name": ["Other Person"], "phone": ["12"], "birthDate": ["1970"]},
    }
    return [json.dumps(e) for e in (person, wallet, bad_phone)]


def test_a_sanctions_style_file_becomes_person_records(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "sanctions.jsonl"
    path.write_text("\n".join(_sanctions_entities()) + "\n", encoding="utf-8")
    with store.session() as s:
        done = import_ftm(s, ACTOR, path, "opensanctions")
        assert (done.added, done.linked, done.already) == (2, 0, 0)
        assert any("not a valid" in r or "wrong length" in r or "phone" in r for r in done.skipped)
        sourced = InteropQueries(s).sourced("opensanctions")
        ming = InteropQueries(s).persons([sourced["NK-ming"]])[0]
    assert [n.text for n in ming.names] == ["MING Xuechang", "明学昌"]
    assert str(ming.birth_date) == "1955-01-01" and ming.nationality == "CN"
    assert [(d.kind, d.number, d.country) for d in ming.documents] == [
        ("passport", "E12345678", "CN")
    ]
    assert {i.graph_key for i in ming.identifiers} == {
        "tel:+8613800138000",
        "wallet:eth:0x52908400098527886e0f7030069857d2e4169ee7",
    }
    with store.session() as s:  # read twice: nothing new
        again = import_ftm(s, ACTOR, path, "opensanctions")
        assert (again.added, again.already) == (0, 2)
        assert s.scalar(select(func.count()).select_from(PersonSourceRow)) == 2


def test_a_broken_file_is_refused_by_line_and_stores_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    lines = _sanctions_entities()
    path.write_text(lines[0] + "\n{not json\n", encoding="utf-8")
    with pytest.raises(UnreadableEntities, match="line 2"), store.session() as s:
        import_ftm(s, ACTOR, path, "x")
    unknown = json.dumps({"id": "a", "schema": "Spaceship", "properties": {}})
    with pytest.raises(UnreadableEntities, match="line 1"):
        parse_lines([unknown])
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonRow)) == 0

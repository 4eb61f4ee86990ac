"""One handover writer: the same manifest imported through the CLI, the ingest kind and
the signed exchange leaves identical batches and entries, and a resend doubles nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from scamnet.cases import handovers
from scamnet.cases.manifest import read_manifest
from scamnet.cli.main import app
from scamnet.core.access import Actor
from scamnet.exchange.keys import init_instance
from scamnet.exchange.service import receive, send_manifest
from scamnet.store import Store
from scamnet.store.exchange import PartnerKeys
from scamnet.store.uow import SqlUnitOfWork
from tests.support.users import register

runner = CliRunner()
DH = Actor("li.wei", "CN-YN-DH")

MANIFEST = (
    "batch_id,date,crossing,from_agency,to_agency,seq,name,birth_date,document,nationality,role\n"
    "MUSE-1118,2023-11-18,Muse–Ruili,MM-MUSE,CN-YN-DH,1,XUECHANG MING,1955-01-01,,CN,mastermind\n"
    "MUSE-1118,2023-11-18,Muse–Ruili,MM-MUSE,CN-YN-DH,2,Zhou Xingyu,1999-09-09,E7654321,CN,\n"
    "MUSE-1118,2023-11-18,Muse–Ruili,MM-MUSE,CN-YN-DH,3,白所成,1960-03-04,,CN,organiser\n"
)
PERSONS = "record_id,source_agency,name,birth_date\nP1,CN-YN-DH,明学昌,1955-01-01\n"


def cli(data_dir: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def prepared(root: Path) -> Path:
    root.mkdir()
    cli(root, "db", "upgrade")
    register(root)
    persons = root / "persons.csv"
    persons.write_text(PERSONS, encoding="utf-8")
    cli(root, "ingest", "persons", str(persons))
    return root


def stored(root: Path) -> tuple[Any, list[tuple[Any, ...]]]:
    store = Store(f"sqlite:///{root / 'scamnet.db'}")
    with store.session() as s:
        view = handovers.read_batch(SqlUnitOfWork(s), DH, "MUSE-1118")
    store.dispose()
    h = view.header
    entries = [
        (e.seq, e.name, e.birth_date, e.document, e.nationality, e.person_id, e.fugitive,
         e.declared_role, e.warrant_id, e.match_score, e.evidence)
        for e, _custody in view.entries
    ]  # fmt: skip
    return (h.batch_id, h.date, h.crossing, h.from_agency, h.to_agency), entries


def test_cli_ingest_and_exchange_store_the_same_rows(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST, encoding="utf-8")

    by_cli = prepared(tmp_path / "cli")
    cli(by_cli, "handover", "import", str(manifest), "--agency", "CN-YN-DH")

    by_ingest = prepared(tmp_path / "ingest")
    out = cli(by_ingest, "ingest", "handovers", str(manifest))
    assert "3" in out

    by_exchange = prepared(tmp_path / "exchange")
    home = init_instance(by_exchange, "CN-YN-DH")
    muse_root = tmp_path / "muse"
    muse_root.mkdir()
    cli(muse_root, "db", "upgrade")
    muse = init_instance(muse_root, "MM-MUSE")
    home_store = Store(f"sqlite:///{by_exchange / 'scamnet.db'}")
    muse_store = Store(f"sqlite:///{muse_root / 'scamnet.db'}")
    with home_store.session() as s:
        PartnerKeys(s).register("MM-MUSE", muse.public_key, "admin")
    with muse_store.session() as s:
        PartnerKeys(s).register("CN-YN-DH", home.public_key, "admin")
    header, lines = read_manifest(manifest).batches[0]
    with muse_store.session() as s:
        bundle = send_manifest(s, muse, header, lines, Actor("muse.officer", "MM-MUSE"))
    with home_store.session() as s:
        receive(s, home, bundle)
    home_store.dispose()
    muse_store.dispose()

    first = stored(by_cli)
    assert len(first[1]) == 3
    assert first[1][0][5] == 1 and first[1][0][7] == "mastermind"  # matched across scripts
    assert stored(by_ingest) == first
    assert stored(by_exchange) == first


def test_a_resent_batch_is_already_stored_and_a_changed_one_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST, encoding="utf-8")
    root = prepared(tmp_path / "dh")
    cli(root, "ingest", "handovers", str(manifest))
    before = stored(root)
    resent = tmp_path / "resent.csv"  # other bytes, same lines: not skipped by the file hash
    resent.write_text(MANIFEST.replace("\n", "\r\n"), encoding="utf-8")
    out = cli(root, "handover", "import", str(resent), "--agency", "CN-YN-DH")
    assert "MUSE-1118" in out
    assert stored(root) == before
    changed = tmp_path / "changed.csv"
    changed.write_text(MANIFEST.replace("Zhou Xingyu", "Zhou Xinyu"), encoding="utf-8")
    refused = cli(root, "handover", "import", str(changed), "--agency", "CN-YN-DH", code=1)
    assert "recorded with other lines" in refused and ": 2" in refused
    assert stored(root) == before

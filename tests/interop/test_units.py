"""The parts under the exports, on small data: the handling hook, node types from core,
and the FtM round trip for every identifier kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from scamnet.core.entities import Document, Person, PersonName
from scamnet.core.handling import DEFAULT_HANDLING, HandlingCode
from scamnet.core.identifiers import (
    BankAccount,
    ChatAccount,
    Imei,
    IpAddress,
    Phone,
    Url,
    Wallet,
)
from scamnet.interop.dossier import Call, Dossier, Node, Transfer
from scamnet.interop.files import Unwritable, check_writable, writing
from scamnet.interop.ftm import group_entities
from scamnet.interop.ftm_read import read_entities
from scamnet.interop.handling import admit, code_of
from scamnet.network.export import node_kind


@dataclass
class Coded:
    handling: str | None


def test_code_of_reads_a_handling_column_when_there_is_one() -> None:
    assert code_of(Coded("H2")) is HandlingCode.H2
    assert code_of(Coded(None)) is DEFAULT_HANDLING
    assert code_of({"handling": "h0"}) is HandlingCode.H0
    assert code_of(object()) is DEFAULT_HANDLING
    kept = admit([Coded("H0"), Coded("H3"), Coded(None), Coded("H2")], HandlingCode.H1)
    assert [c.handling for c in kept.kept] == ["H0", None] and kept.left_out == 2
    with pytest.raises(ValueError, match="unknown handling code"):
        code_of(Coded("H7"))


def test_node_types_are_core_kinds() -> None:
    examples = [
        Phone.parse("+8613800138000"),
        Imei.parse("490154203237518"),
        BankAccount.parse("DE89370400440532013000"),
        Wallet.parse("0x52908400098527886E0F7030069857D2E4169EE7"),
        Url.parse("https://pay.example.co.uk/a"),
        IpAddress.parse("10.0.0.1"),
        ChatAccount.parse("telegram:@scam_boss"),
    ]
    assert [node_kind(i.graph_key) for i in examples] == [type(i).kind for i in examples]
    assert node_kind("cell:460-00-1-2") == "cell"
    with pytest.raises(ValueError, match="no graph key"):
        node_kind("phone:+8613800138000")


def test_an_unwritable_place_is_refused_and_nothing_half_written(tmp_path: Path) -> None:
    with pytest.raises(Unwritable, match="no directory"):
        check_writable(tmp_path / "missing" / "x.json")
    with pytest.raises(Unwritable, match="is a directory"):
        check_writable(tmp_path)
    target = tmp_path / "x.json"
    target.write_text("before", encoding="utf-8")

    def fail_half_way() -> None:
        with writing(target) as fh:
            fh.write("half")
            raise RuntimeError("the export failed half-way")

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


AT = datetime(2023, 10, 1, 9, 0, tzinfo=UTC)


def _dossier() -> Dossier:
    boss = Person(
        [
            PersonName.of("明学昌"),
            PersonName.of("Ming Xuechang"),
            PersonName.of("Ming Hsueh-chang"),
        ],
        date(1955, 1, 1),
        "CN",
        [Document("cn_id", "533103195501010011", "CN"), Document("passport", "E12345678", "CN")],
        [
            Phone.parse("+8613800138000"),
            BankAccount.parse("DE89370400440532013000"),
            Wallet.parse("TScUdn5bgpsYtMiCFes2Z3m9NxGASqiQyn"),
            Url.parse("http://boss.example.com/"),
            ChatAccount.parse("wechat:ming_boss"),
            Imei.parse("490154203237518"),
            IpAddress.parse("203.0.113.9"),
        ],
        id=7,
    )
    nodes = [
        Node("tel:+8613800138000", "mastermind", 1, 1.0, 7),
        Node("tel:+959451234567", "member", 2, 0.2, None),
        Node("acct:6222021234567890123", "money_mule", 3, 0.1, None),
        Node("wallet:trx:TScUdn5bgpsYtMiCFes2Z3m9NxGASqiQyn", "money_mule", 4, 0.1, 7),
    ]
    return Dossier(
        1,
        "network 1",
        ["the Ming family"],
        nodes,
        [boss],
        {7: "mastermind"},
        [],
        [Call("+959451234567", "+8613800138000", AT, 65)],
        [
            Transfer(
                "6222021234567890123",
                "trx:TScUdn5bgpsYtMiCFes2Z3m9NxGASqiQyn",
                Decimal("1500.00"),
                "USDT",
                AT,
            )
        ],
    )


def test_every_identifier_kind_survives_the_ftm_round_trip() -> None:
    d = _dossier()
    entities = group_entities(d, "CN-YN-DH")
    read = read_entities(entities)
    assert read.skipped == []
    (person,) = read.persons.values()
    boss = d.persons[0]
    assert [n.text for n in person.names] == [n.text for n in boss.names]
    assert (person.birth_date, person.nationality) == (boss.birth_date, boss.nationality)
    assert set(person.documents) == set(boss.documents)
    assert {i.graph_key for i in person.identifiers} == {i.graph_key for i in boss.identifiers}
    assert read.identifiers == {n.key for n in d.nodes} | {i.graph_key for i in boss.identifiers}
    schemata = [e.schema.name for e in entities]
    assert schemata.count("Call") == 1 and schemata.count("Payment") == 1
    # The mule account has no known holder: a stand-in pays, FtM's required payer.
    payment = next(e for e in entities if e.schema.name == "Payment")
    payer = next(e for e in entities if e.id == payment.first("payer"))
    assert payer.schema.name == "LegalEntity" and "unknown holder" in (payer.first("name") or "")
    beneficiary = next(e for e in entities if e.id == payment.first("beneficiary"))
    assert beneficiary.schema.name == "Person"  # the wallet is the boss's

"""STIX 2.1 and MISP: the confirmed scam indicators, validated by OASIS's validator and by
pymisp's model and schema; a STIX bundle read back as victim reports."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pymisp
import pytest
import stix2
from pymisp import MISPEvent, MISPObject
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_file, validate_string

from scamnet.core.access import Actor
from scamnet.core.handling import HandlingCode
from scamnet.interop import misp, stix
from scamnet.interop.indicators import Indicator, Sighting
from scamnet.interop.service import import_stix
from scamnet.store import Store
from scamnet.store.models import VictimReportRow
from tests.interop.conftest import Cli

AT = datetime(2023, 10, 2, 8, 30, tzinfo=UTC)
WALLET = "trx:TScUdn5bgpsYtMiCFes2Z3m9NxGASqiQyn"
IBAN = "DE89370400440532013000"


def _indicator(kind: str, value: str, code: HandlingCode = HandlingCode.H1) -> Indicator:
    ind = Indicator(kind, value, Counter({"investment": 2}), codes=[code])
    ind.sightings["CN-YN-DH"] = Sighting("CN-YN-DH", 2, AT, AT)
    return ind


SAMPLE = [
    _indicator("tel", "+8613800138000", HandlingCode.H0),
    _indicator("acct", IBAN),
    _indicator("acct", "6222021234567890123", HandlingCode.H2),
    _indicator("wallet", WALLET),
    _indicator("url", "http://pay-refund.example.com/x"),
    _indicator("domain", "example.com"),
]


def test_the_stix_bundle_passes_the_oasis_validator_and_carries_tlp() -> None:
    made = stix.bundle(SAMPLE, "CN-YN-DH")
    result = validate_string(made.serialize(), ValidationOptions(strict=True))
    assert result.is_valid, [str(e) for r in result.object_results for e in r.errors]
    objects = {o["id"]: o for o in json.loads(made.serialize())["objects"]}
    indicators = [o for o in objects.values() if o["type"] == "indicator"]
    assert {o["pattern"].split(":")[0][1:] for o in indicators} == {
        "phone-number",
        "bank-account",
        "cryptocurrency-wallet",
        "url",
        "domain-name",
    }
    assert all(o["labels"] == ["investment"] for o in indicators)
    marks = {o["name"].split()[-1]: o["object_marking_refs"] for o in indicators}
    assert marks["+8613800138000"] == [stix2.TLP_GREEN.id]
    assert marks[IBAN] == [stix2.TLP_AMBER.id]
    assert len(marks["6222021234567890123"]) == 2  # amber and the AMBER+STRICT statement
    sightings = [o for o in objects.values() if o["type"] == "sighting"]
    assert len(sightings) == len(SAMPLE)
    assert all(objects[s["sighting_of_ref"]]["type"] == "indicator" and s["count"] == 2
               for s in sightings)  # fmt: skip
    # The same indicators exported again keep their ids.
    again = json.loads(stix.bundle(SAMPLE, "CN-YN-DH").serialize())["objects"]
    assert {o["id"] for o in again} == set(objects)


def _describe_types() -> dict[str, object]:
    path = Path(pymisp.__file__).parent / "data" / "describeTypes.json"
    result: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))["result"]
    return result


def test_the_misp_event_loads_in_pymisp_and_fits_its_types_and_templates() -> None:
    made = misp.event(SAMPLE, "CN-YN-DH")
    doc = {"Event": json.loads(made.to_json())}
    # pymisp's bundled JSON schema predates objects and first/last seen, so it is not
    # the check: the model loads the event, its type tables fit each attribute to its
    # category, and each object must fill its template (required relations, one each).
    for obj in doc["Event"]["Object"]:
        template = MISPObject(obj["name"], strict=True)
        template.from_dict(**obj)
        assert template.to_json(strict=True)
        assert {a["object_relation"] for a in obj["Attribute"]} <= set(
            template._definition["attributes"]
        )
    loaded = MISPEvent()
    loaded.load(json.dumps(doc))
    types = {a.type: a.category for a in loaded.attributes}
    assert all(a.first_seen == AT for a in loaded.attributes)
    assert types == {"phone-number": "Financial fraud", "iban": "Financial fraud",
                     "bank-account-nr": "Financial fraud", "url": "Network activity",
                     "domain": "Network activity"}  # fmt: skip
    mappings = _describe_types()["category_type_mappings"]
    assert isinstance(mappings, dict)
    for a in loaded.attributes:
        assert a.type in mappings[a.category]
    (coin,) = loaded.objects
    assert coin.name == "coin-address"
    assert {(a.object_relation, a.value) for a in coin.attributes} == {
        ("address-crypto", WALLET.split(":")[1]),
        ("symbol", "TRX"),
    }
    # TLP 2.0 tags: each attribute its own, the event the strictest.
    tags = {a.value: [t.name for t in a.tags] for a in loaded.attributes}
    assert tags["+8613800138000"] == ["tlp:green"] and tags[IBAN] == ["tlp:amber"]
    assert tags["6222021234567890123"] == ["tlp:amber+strict"]
    assert [t.name for t in loaded.tags] == ["tlp:amber+strict"]
    assert loaded.distribution == 0  # H2: the receiving organisation only


@pytest.mark.slow
def test_the_demo_indicators_export_validated(cli: Cli, tmp_path: Path) -> None:
    said = cli("export", "stix", "--out", str(tmp_path / "i.json"))
    assert "indicators" in said and "sightings" in said
    result = validate_file(str(tmp_path / "i.json"), ValidationOptions(strict=True))
    assert result.is_valid
    bundle = json.loads((tmp_path / "i.json").read_text(encoding="utf-8"))
    kinds = Counter(o["type"] for o in bundle["objects"])
    assert kinds["indicator"] > 20 and kinds["sighting"] >= kinds["indicator"]
    cli("export", "misp", "--out", str(tmp_path / "e.json"))
    event = MISPEvent()
    event.load_file(str(tmp_path / "e.json"))
    assert len(event.attributes) == kinds["indicator"]
    assert [t.name for t in event.tags] == ["tlp:amber"]  # every record is H1 until coded
    # Nothing is above H1 today: under an H0 ceiling, every source is left out.
    said = cli("export", "stix", "--handling", "H0", "--out", str(tmp_path / "h0.json"))
    assert "0 indicators" in said and "left out" in said


def _bundle(tmp_path: Path) -> Path:
    me = stix2.Identity(name="CERT-XX", identity_class="organization")
    kw = {"pattern_type": "stix", "valid_from": AT, "created_by_ref": me.id,
          "indicator_types": ["malicious-activity"]}  # fmt: skip
    objects = [
        me,
        stix2.Indicator(name="a", pattern="[phone-number:value = '+8613800138000']",
                        labels=["investment"], **kw),
        stix2.Indicator(name="b", pattern=f"[bank-account:iban = '{IBAN}'] OR "
                        "[domain-name:value = 'pay-refund.example.com']", **kw),
        stix2.Indicator(name="c", pattern="[file:name = 'x.exe']", **kw),
        stix2.Indicator(name="d", pattern="[url:value = 'not a url at all']", **kw),
    ]  # fmt: skip
    path = tmp_path / "b.json"
    path.write_text(stix2.Bundle(*objects).serialize(), encoding="utf-8")
    return path


def test_a_stix_bundle_becomes_victim_reports(store: Store, tmp_path: Path) -> None:
    path = _bundle(tmp_path)
    actor = Actor("ana", "CN-YN-DH")
    with store.session() as s:
        done = import_stix(s, actor, path)
        assert (done.added, done.already, len(done.skipped)) == (3, 0, 2)
    with store.session() as s:
        rows = list(s.scalars(select(VictimReportRow).order_by(VictimReportRow.report_id)))
        assert {r.bureau for r in rows} == {"CERT-XX"}
        got = {(r.scammer_phone, r.scammer_account, r.scammer_url, r.fraud_type) for r in rows}
        assert got == {("+8613800138000", None, None, "investment"),
                       (None, IBAN, None, "other"),
                       (None, None, "http://pay-refund.example.com/", "other")}  # fmt: skip
        assert all(r.report_id.startswith("stix:indicator--") for r in rows)
    with store.session() as s:  # the same bundle again adds nothing
        assert import_stix(s, actor, path).added == 0

"""Signed bundles between two instances, in process: applied once, and only if genuine."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from scamnet.cases import transfers
from scamnet.core.access import Actor
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.core.reference import reference_agencies
from scamnet.exchange.bundle import MAX_BUNDLE_BYTES, BundleRefused, parse
from scamnet.exchange.keys import Instance, init_instance, load_instance
from scamnet.exchange.service import receive, send_manifest, send_request, send_wanted
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.audit import AuditLog
from scamnet.store.exchange import BundleLedger, PartnerKeys, ledger_digest
from scamnet.store.models import WarrantRow
from scamnet.store.persons import PersonRepository
from scamnet.store.uow import SqlUnitOfWork as Uow
from tests.factories import person

_TEMPLATE: list[Path] = []

MUSE = Actor("muse.officer", "MM-MUSE")  # whose requests the listing shows


def _migrated_copy(target: Path) -> None:
    """A migrated store with the reference agencies, copied from one built per session."""
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="scamnet-exchange-")) / "template.db"
        store = Store(f"sqlite:///{template}")
        store.upgrade()
        with store.session() as s:
            AgencyRepository(s).ensure(reference_agencies())
        store.dispose()
        _TEMPLATE.append(template)
    shutil.copyfile(_TEMPLATE[0], target)


class Side:
    def __init__(self, root: Path, agency: str) -> None:
        _migrated_copy(root / "scamnet.db")
        self.store = Store(f"sqlite:///{root / 'scamnet.db'}")
        self.me: Instance = init_instance(root, agency)
        self.actor = Actor("officer", agency)

    def register(self, other: Side) -> None:
        with self.store.session() as s:
            PartnerKeys(s).register(other.me.agency, other.me.public_key, "admin")

    def receive(self, bundle: dict[str, Any]) -> str:
        with self.store.session() as s:
            return receive(s, self.me, bundle)

    def digest(self) -> str:
        with self.store.session() as s:
            return ledger_digest(s)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Side, Side]:
    (tmp_path / "dh").mkdir()
    (tmp_path / "muse").mkdir()
    dehong, muse = Side(tmp_path / "dh", "CN-YN-DH"), Side(tmp_path / "muse", "MM-MUSE")
    dehong.register(muse)
    muse.register(dehong)
    return dehong, muse


def _request(dehong: Side) -> dict[str, Any]:
    with dehong.store.session() as s:
        pid = PersonRepository(s).add(person()).id or 0
        ref = transfers.create(Uow(s), dehong.actor, "MM-MUSE", [pid], "bilateral agreement 2023")
        return send_request(s, dehong.me, ref)


def test_request_and_manifest_leave_both_with_the_same_ledger(pair: tuple[Side, Side]) -> None:
    dehong, muse = pair
    bundle = _request(dehong)
    assert "1 persons" in muse.receive(bundle)
    ref = bundle["payload"]["reference"]
    header = BatchHeader("H-MUSE-1", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH", ref)
    lines = [ManifestLine(1, "XUECHANG MING", date(1955, 1, 1)), ManifestLine(2, "Zhou Xingyu")]
    with muse.store.session() as s:
        manifest = send_manifest(s, muse.me, header, lines, muse.actor)
    summary = dehong.receive(manifest)
    assert "2 persons, 1 known, 1 new" in summary
    with dehong.store.session() as s:
        assert transfers.get(Uow(s), ref).status == "executed"
    with muse.store.session() as s:
        assert transfers.get(Uow(s), ref).status == "executed"
    assert dehong.digest() == muse.digest()


def test_tampered_bundle_is_refused_and_nothing_is_applied(pair: tuple[Side, Side]) -> None:
    dehong, muse = pair
    bundle = _request(dehong)
    forged = copy.deepcopy(bundle)
    forged["payload"]["persons"][0]["name"] = "Somebody Else"
    with pytest.raises(BundleRefused, match="bad signature"):
        muse.receive(forged)
    readdressed = {**copy.deepcopy(bundle), "sender": "MM-LAUKKAI"}
    with pytest.raises(BundleRefused, match="not a registered partner"):
        muse.receive(readdressed)
    with muse.store.session() as s:
        assert transfers.list_requests(Uow(s), MUSE) == [] and BundleLedger(s).entries() == []


def test_replayed_unsigned_misaddressed_and_oversized_bundles_are_refused(
    pair: tuple[Side, Side],
) -> None:
    dehong, muse = pair
    bundle = _request(dehong)
    muse.receive(bundle)
    with pytest.raises(BundleRefused, match="replay") as replay:
        muse.receive(bundle)
    assert replay.value.code == 409
    unsigned = {k: v for k, v in bundle.items() if k != "signature"}
    with pytest.raises(BundleRefused, match="unsigned"):
        muse.receive(unsigned)
    with pytest.raises(BundleRefused, match="addressed to 'MM-MUSE'"):
        dehong.receive(bundle)
    with pytest.raises(BundleRefused, match="larger than") as big:
        parse(b" " * (MAX_BUNDLE_BYTES + 1))
    assert big.value.code == 413
    with pytest.raises(BundleRefused, match="not a JSON bundle"):
        parse(b"\xff{not json")
    with muse.store.session() as s:
        assert len(transfers.list_requests(Uow(s), MUSE)) == 1


def test_a_bad_payload_is_refused_whole(pair: tuple[Side, Side]) -> None:
    dehong, muse = pair
    with dehong.store.session() as s:
        s.add(WarrantRow(warrant_id="W1", issued_at=date(2023, 1, 1), agency="CN-YN-DH", name="A"))
        s.add(WarrantRow(warrant_id="W2", issued_at=date(2023, 1, 1), agency="CN-YN-DH", name="B"))
    with dehong.store.session() as s:
        good = send_wanted(s, dehong.me, "MM-MUSE")
    assert muse.receive(good).startswith("2 new warrants")
    # A genuine signature over a payload that cannot be applied: nothing of it lands.
    with dehong.store.session() as s:
        from scamnet.exchange.bundle import BundleKind
        from scamnet.exchange.service import send

        bad = send(
            s,
            dehong.me,
            BundleKind.WANTED_LIST,
            "MM-MUSE",
            {
                "warrants": [
                    {"warrant_id": "W3", "issued_at": "2023-01-01", "agency": "X", "name": "C"},
                    {"warrant_id": "W4", "name": ""},
                ]
            },
        )
    with pytest.raises(
        BundleRefused, match=r"\(field-values\).*warrants.1.name: must not be empty"
    ):
        muse.receive(bad)
    with muse.store.session() as s:
        assert sorted(w.warrant_id for w in s.query(WarrantRow)) == ["W1", "W2"]


def test_identity_is_kept_and_private_key_is_private(tmp_path: Path) -> None:
    me = init_instance(tmp_path, "CN-YN-DH")
    assert load_instance(tmp_path).public_key == me.public_key
    assert (tmp_path / "keys" / "exchange-ed25519.pem").stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError, match="already serves CN-YN-DH"):
        init_instance(tmp_path, "MM-MUSE")
    assert json.loads((tmp_path / "keys" / "instance.json").read_text())["agency"] == "CN-YN-DH"


def test_a_bundle_carries_its_handling_code_and_h3_never_leaves(pair: tuple[Side, Side]) -> None:
    from scamnet.core.handling import HandlingCode
    from scamnet.exchange.bundle import BundleKind, seal

    dehong, muse = pair
    bundle = _request(dehong)
    assert bundle["handling"] == "H1"
    with pytest.raises(BundleRefused, match="never leave") as refused:
        seal(dehong.me, BundleKind.TRANSFER_REQUEST, "MM-MUSE", bundle["payload"],
             HandlingCode.H3)  # fmt: skip
    assert refused.value.rule == "handling"
    # The code is signed: raising it (or lowering it) in transit breaks the signature.
    lowered = {**copy.deepcopy(bundle), "handling": "H0"}
    with pytest.raises(BundleRefused, match="bad signature"):
        muse.receive(lowered)
    muse.receive(bundle)
    with muse.store.session() as s:
        entries = AuditLog(s).entries()
    received = [e for e in entries if e.action == "exchange.receive"]
    assert received[-1].detail["handling"] == "H1"


def test_persons_named_in_a_bundle_keep_its_handling_code(pair: tuple[Side, Side]) -> None:
    """An H2 manifest's persons are stored H2 on receipt, never lowered by a later H0
    bundle, and a request naming them leaves under H2 (an H3 person not at all)."""
    from scamnet.core.handling import HandlingCode
    from scamnet.exchange.bundle import BundleKind
    from scamnet.exchange.service import manifest_payload, send

    dehong, muse = pair
    ref = _request(dehong)["payload"]["reference"]  # names one person Dehong knows
    header = BatchHeader("H-MUSE-2", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH", ref)
    lines = [ManifestLine(1, "XUECHANG MING", date(1955, 1, 1)), ManifestLine(2, "Zhou Xingyu")]
    with muse.store.session() as s:
        h2 = send(s, muse.me, BundleKind.HANDOVER_MANIFEST, "CN-YN-DH",
                  manifest_payload(header, lines), muse.actor, None, HandlingCode.H2)  # fmt: skip
    assert h2["handling"] == "H2"
    assert "1 known, 1 new" in dehong.receive(h2)
    with dehong.store.session() as s:
        entries = Uow(s).handovers.entries("H-MUSE-2")
        named = {e.person_id for e in entries if e.person_id is not None}
        persons = PersonRepository(s)
        assert len(named) == 2
        assert {persons.handling(p) for p in named} == {HandlingCode.H2}
        other = persons.add(person("周星宇", "Zhou Xingyu", "13700137000", "530000199001010099")).id
        assert other is not None and persons.handling(other) is HandlingCode.H1
    header0 = replace(header, batch_id="H-MUSE-3")
    with muse.store.session() as s:
        h0 = send(s, muse.me, BundleKind.HANDOVER_MANIFEST, "CN-YN-DH",
                  manifest_payload(header0, lines), muse.actor, None, HandlingCode.H0)  # fmt: skip
    dehong.receive(h0)
    with dehong.store.session() as s:
        assert {PersonRepository(s).handling(p) for p in named} == {HandlingCode.H2}
        # Passing them on: the request carries their code.
        again = transfers.create(Uow(s), dehong.actor, "MM-MUSE", sorted(named), "treaty art. 5")
        assert send_request(s, dehong.me, again)["handling"] == "H2"
        s.execute(text("UPDATE persons SET handling = 'H3' WHERE id = :p"), {"p": min(named)})
        never = transfers.create(Uow(s), dehong.actor, "MM-MUSE", sorted(named), "treaty art. 5")
        with pytest.raises(BundleRefused, match="never leave"):
            send_request(s, dehong.me, never)

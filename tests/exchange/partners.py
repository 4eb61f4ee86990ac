"""Helpers for the rights tests: two in-process instances, bundles signed by the partner,
and a snapshot of every table a bundle could touch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from scamnet.cases import transfers
from scamnet.exchange.bundle import FIELDS, BundleKind, canonical, seal, sign_detached
from scamnet.store import Store
from scamnet.store.persons import PersonRepository
from scamnet.store.uow import SqlUnitOfWork
from tests.exchange.test_bundles import Side
from tests.factories import person

TABLES = (
    "transfer_requests", "request_events", "request_persons", "persons", "warrants",
    "handover_batches", "manifest_entries", "bundles", "audit_log", "exchange_outbox",
)  # fmt: skip


def snapshot(store: Store) -> dict[str, Any]:
    """Row counts of every table a bundle could write, and every request's status."""
    with store.session() as s:
        counts = {t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
        statuses = dict(s.execute(text("SELECT reference, status FROM transfer_requests")).all())
        warrants = dict(s.execute(text("SELECT warrant_id, agency FROM warrants")).all())
    return {"counts": counts, "statuses": statuses, "warrants": warrants}


def signed(
    side: Side, kind: BundleKind, payload: dict[str, Any], recipient: str = "CN-YN-DH"
) -> dict[str, Any]:
    """A bundle from ``side`` to ``recipient``, validly signed, whatever its payload."""
    return seal(side.me, kind, recipient, payload)


def resigned(side: Side, bundle: dict[str, Any]) -> dict[str, Any]:
    """``bundle`` after its envelope was changed, signed again by ``side``'s own key."""
    body = {f: bundle[f] for f in FIELDS}
    return {**body, "signature": sign_detached(side.me, canonical(body))}


def third_party_request(dehong: Side) -> str:
    """A request from CN-YN-DH to MM-LAUKKAI, which MM-MUSE has no part in."""
    with dehong.store.session() as s:
        pid = PersonRepository(s).add(person()).id or 0
        uow = SqlUnitOfWork(s)
        return transfers.create(uow, dehong.actor, "MM-LAUKKAI", [pid], "treaty art. 5")


def warrant(**extra: Any) -> dict[str, Any]:
    return {"warrant_id": "W-MUSE-1", "issued_at": "2023-10-01", "agency": "MM-MUSE",
            "name": "Zhou Xingyu", **extra}  # fmt: skip


def manifest(**batch: Any) -> dict[str, Any]:
    return {
        "batch": {"batch_id": "H-MUSE-9", "date": "2023-11-18", "crossing": "Muse–Ruili",
                  "from_agency": "MM-MUSE", "to_agency": "CN-YN-DH", **batch},
        "lines": [{"seq": 1, "name": "Zhou Xingyu", "birth_date": "1999-09-09"}],
    }  # fmt: skip


def make_pair(root: Path) -> tuple[Side, Side]:
    (root / "dh").mkdir()
    (root / "muse").mkdir()
    dehong, muse = Side(root / "dh", "CN-YN-DH"), Side(root / "muse", "MM-MUSE")
    dehong.register(muse)
    muse.register(dehong)
    return dehong, muse

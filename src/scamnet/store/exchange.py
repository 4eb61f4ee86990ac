"""Partners' public keys and the ledger of bundles sent and received."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scamnet.store.audit import RECEIPT_LOCK, AuditLog, write_lock
from scamnet.store.models import AgencyRow, HandoverBatchRow, ManifestEntryRow
from scamnet.store.tables.exchange import BundleRow, PartnerKeyRow
from scamnet.store.tables.transfers import RequestEventRow, TransferRequestRow


class PartnerKeys:
    def __init__(self, session: Session) -> None:
        self.session = session

    def register(self, agency: str, public_key: str, actor: str) -> None:
        """Register (or rotate) a partner's key; the agency must be known here."""
        if self.session.scalar(select(AgencyRow.id).where(AgencyRow.code == agency)) is None:
            raise LookupError(f"unknown agency {agency!r}; load the agencies first")
        row = self.session.scalar(select(PartnerKeyRow).where(PartnerKeyRow.agency == agency))
        if row is None:
            self.session.add(
                PartnerKeyRow(agency=agency, public_key=public_key, registered_at=datetime.now(UTC))
            )
        else:
            row.public_key, row.registered_at = public_key, datetime.now(UTC)
        AuditLog(self.session).append(
            actor, "exchange.partner_key", agency, {"public_key": public_key}
        )

    def get(self, agency: str) -> str | None:
        return self.session.scalar(
            select(PartnerKeyRow.public_key).where(PartnerKeyRow.agency == agency)
        )

    def all(self) -> list[tuple[str, str, datetime]]:
        """Every registered partner: agency, public key, when registered."""
        rows = self.session.execute(
            select(
                PartnerKeyRow.agency, PartnerKeyRow.public_key, PartnerKeyRow.registered_at
            ).order_by(PartnerKeyRow.agency)
        )
        return [(a, k, t) for a, k, t in rows]


def lock_receipts(session: Session) -> None:
    """Take received bundles one at a time, so a replay check cannot race its twin."""
    write_lock(session, RECEIPT_LOCK)


class BundleLedger:
    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, bundle_id: str) -> datetime | None:
        return self.session.scalar(
            select(BundleRow.recorded_at).where(BundleRow.bundle_id == bundle_id)
        )

    def record(self, bundle: dict[str, object], direction: str, digest: str, summary: str) -> None:
        self.session.add(
            BundleRow(
                bundle_id=bundle["id"],
                direction=direction,
                kind=bundle["kind"],
                sender=bundle["sender"],
                recipient=bundle["recipient"],
                created_at=datetime.fromisoformat(str(bundle["created_at"])),
                payload_sha256=digest,
                recorded_at=datetime.now(UTC),
                summary=summary,
            )
        )
        self.session.flush()

    def entries(self) -> list[BundleRow]:
        return list(self.session.scalars(select(BundleRow).order_by(BundleRow.id)))


def ledger_digest(session: Session) -> str:
    """What two partners must agree on: the bundles exchanged, each transfer request's
    history, and each batch that came through the exchange with its size. Local ids,
    timestamps and batches recorded from other sources are left out."""
    bundles = sorted(
        (b.bundle_id, b.kind, b.sender, b.recipient, b.payload_sha256)
        for b in session.scalars(select(BundleRow))
    )
    requests = []
    for r in session.scalars(select(TransferRequestRow).order_by(TransferRequestRow.reference)):
        events = session.scalars(
            select(RequestEventRow.status)
            .where(RequestEventRow.request_id == r.id)
            .order_by(RequestEventRow.id)
        )
        requests.append(
            (r.reference, r.requesting_agency, r.partner_agency, r.status, list(events))
        )
    sizes = dict(
        session.execute(
            select(ManifestEntryRow.batch_id, func.count()).group_by(ManifestEntryRow.batch_id)
        ).all()
    )
    batches = [
        (
            b.batch_id,
            b.date.isoformat(),
            b.crossing,
            b.from_agency,
            b.to_agency,
            sizes.get(b.batch_id, 0),
        )
        for b in session.scalars(
            select(HandoverBatchRow)
            .where(HandoverBatchRow.source == "exchange")
            .order_by(HandoverBatchRow.batch_id)
        )
    ]
    text = json.dumps([bundles, requests, batches], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

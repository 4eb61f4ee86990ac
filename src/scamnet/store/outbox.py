"""The exchange outbox: every bundle we send, kept until the partner acknowledges it.

A local change and the bundle that tells the partner about it are written in the
same transaction, so a failed delivery can never leave the change made here and
the partner uninformed: the bundle waits here, with its attempts and last error,
until a delivery (or ``scamnet exchange resend``) is acknowledged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from scamnet.store.tables.base import Base
from scamnet.store.types import UtcDateTime

PENDING, DELIVERED, REFUSED = "pending", "delivered", "refused"


class OutboxRow(Base):
    """One bundle to deliver: pending, delivered (acknowledged) or refused by the partner."""

    __tablename__ = "exchange_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(64), index=True)
    body: Mapped[str] = mapped_column(Text)  # the signed bundle, exactly as sent
    url: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), index=True, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)  # what the partner said it applied


class Outbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, bundle: dict[str, Any], url: str | None = None) -> OutboxRow:
        row = OutboxRow(
            bundle_id=str(bundle["id"]),
            kind=str(bundle["kind"]),
            recipient=str(bundle["recipient"]),
            body=json.dumps(bundle, ensure_ascii=False),
            url=url,
            state=PENDING,
            attempts=0,
            created_at=datetime.now(UTC),
            next_attempt_at=datetime.now(UTC),
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, bundle_id: str) -> OutboxRow | None:
        return self.session.scalar(select(OutboxRow).where(OutboxRow.bundle_id == bundle_id))

    def pending(self, recipient: str | None = None) -> list[OutboxRow]:
        """Undelivered bundles, oldest first: the order the partner must apply them in."""
        query = select(OutboxRow).where(OutboxRow.state == PENDING).order_by(OutboxRow.id)
        if recipient is not None:
            query = query.where(OutboxRow.recipient == recipient)
        return list(self.session.scalars(query))

    def all(self) -> list[OutboxRow]:
        return list(self.session.scalars(select(OutboxRow).order_by(OutboxRow.id)))

    def delivered(self, bundle_id: str, reply: str, url: str | None) -> None:
        row = self._row(bundle_id)
        row.state, row.reply, row.last_error = DELIVERED, reply, None
        row.attempts += 1
        row.last_attempt_at, row.next_attempt_at = datetime.now(UTC), None
        row.url = url or row.url

    def failed(
        self, bundle_id: str, error: str, retry_in: timedelta | None, url: str | None
    ) -> None:
        """A failed attempt; with no ``retry_in`` the partner refused it for good."""
        row = self._row(bundle_id)
        row.attempts += 1
        row.last_error = error[:2000]
        row.last_attempt_at = datetime.now(UTC)
        row.url = url or row.url
        if retry_in is None:
            row.state, row.next_attempt_at = REFUSED, None
        else:
            row.next_attempt_at = row.last_attempt_at + retry_in

    def _row(self, bundle_id: str) -> OutboxRow:
        row = self.get(bundle_id)
        if row is None:
            raise LookupError(f"no bundle {bundle_id} in the outbox")
        return row


def bundle_of(row: OutboxRow) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row.body)
    return body

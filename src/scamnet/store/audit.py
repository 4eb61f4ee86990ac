"""The append-only, hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash, so changing
or removing any past entry breaks every hash after it (the scheme of Crosby and
Wallach, "Efficient Data Structures for Tamper-Evident Logging", USENIX 2009,
in its simplest linear form). The database refuses UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scamnet.store.models import AuditRow

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def entry_hash(
    prev_hash: str, at: datetime, actor: str, action: str, subject: str, detail: str
) -> str:
    payload = json.dumps(
        [prev_hash, at.astimezone(UTC).isoformat(), actor, action, subject, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Add one entry at the end of the chain."""
        if self.session.get_bind().dialect.name == "postgresql":
            # Two concurrent appends must not both chain onto the same predecessor.
            self.session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
        last = self.session.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1))
        prev = last or GENESIS
        # Microseconds are dropped: not every database keeps them, and the hash must
        # be recomputable from what was stored.
        at = datetime.now(UTC).replace(microsecond=0)
        body = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        digest = entry_hash(prev, at, actor, action, subject, body)
        row = AuditRow(
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            detail=body,
            prev_hash=prev,
            hash=digest,
        )
        self.session.add(row)
        self.session.flush()
        return _entry(row)

    def entries(self, subject: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.id)
        if subject is not None:
            query = query.where(AuditRow.subject == subject)
        return [_entry(r) for r in self.session.scalars(query.limit(limit))]

    def verify(self) -> int | None:
        """Walk the chain; return the id of the first entry that does not verify, or None."""
        prev = GENESIS
        for row in self.session.scalars(select(AuditRow).order_by(AuditRow.id)).yield_per(1000):
            expected = entry_hash(prev, row.at, row.actor, row.action, row.subject, row.detail)
            if row.prev_hash != prev or row.hash != expected:
                return row.id
            prev = row.hash
        return None


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.id,
        row.at,
        row.actor,
        row.action,
        row.subject,
        json.loads(row.detail),
        row.prev_hash,
        row.hash,
    )

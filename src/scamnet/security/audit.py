"""Reading and checking the audit chain (writes happen inside each use case)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.store.audit import AuditEntry, AuditLog


def chain_intact(session: Session) -> bool:
    """True when every link of the hash-chained audit log verifies."""
    return AuditLog(session).verify() is None


def search(
    session: Session, actor: Actor, user: str | None, subject: str | None, limit: int
) -> list[AuditEntry]:
    """Entries by user and/or subject, newest first; reading them is itself audited."""
    found = AuditLog(session).search(user, subject, limit)
    AuditLog(session).append(actor.user, "audit.read", subject or f"user:{user or '*'}",
                             {"agency": actor.agency, "why": actor.why, "user": user})  # fmt: skip
    return found

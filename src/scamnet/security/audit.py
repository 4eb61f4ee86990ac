"""Reading and checking the audit chain (writes happen inside each use case)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scamnet.store.audit import AuditLog


def chain_intact(session: Session) -> bool:
    """True when every link of the hash-chained audit log verifies."""
    return AuditLog(session).verify() is None

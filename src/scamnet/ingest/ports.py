"""The storage interfaces ingestion needs; the store and the lake implement them."""

from __future__ import annotations

from typing import Any, Protocol


class IngestLedger(Protocol):
    """Remembers which file contents were taken in already."""

    def seen(self, sha256: str, kind: str) -> bool: ...

    def record(
        self, sha256: str, kind: str, path: str, read: int, stored: int, rejected: int
    ) -> None: ...


class RecordSink(Protocol):
    """Stores validated rows of the relational kinds; returns how many were new."""

    def insert(self, kind: str, rows: list[dict[str, Any]]) -> int: ...


class AuditTrail(Protocol):
    """The audit log: who took which file in, with what outcome."""

    def append(
        self, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None
    ) -> Any: ...

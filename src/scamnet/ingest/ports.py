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

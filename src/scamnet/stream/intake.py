"""Records pushed as they happen: one NDJSON batch through the same ingestion as a file.

A batch is validated by the file pipeline (`scamnet.ingest.pipeline`): the same
checks, the same rejects store with reasons, the same natural-key de-duplication,
and one small lake commit per batch. Its SHA-256 goes in the ingest ledger, so a
batch sent twice (a retry after a lost answer) is stored once.

The rule for bad input (docs/stream.md): a batch is **accepted with rejects**. Each
line that is not a valid record is rejected on its own, with its line number and
reason, exactly as a line of a file would be. A batch is refused whole only when
it cannot be read as a batch at all: empty, not UTF-8, more than ``MAX_LINES``
lines, a kind that is not streamed, or a required column that no line has.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scamnet.core.access import Actor, Permission
from scamnet.core.errors import InvalidRecord, NotAllowed, RateLimited
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import FileResult, Ingestor
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.access import hit
from scamnet.store.audit import AuditLog
from scamnet.store.records import StoreLedger, StoreSink

PUSH_KINDS = ("calls", "messages", "transfers", "reports")
MAX_LINES = 10_000  # and at most 1 MiB: the API's body limit
MAX_REJECTS_SHOWN = 1_000  # lines named in one answer; the rejects store keeps them all


def push_rate() -> int:
    """Batches a data provider may push per window (``SCAMNET_PUSH_RATE``, default 200)."""
    return int(os.environ.get("SCAMNET_PUSH_RATE", "200"))


def rate_window() -> timedelta:
    """The window of the rate (``SCAMNET_PUSH_WINDOW_S`` seconds, default 1)."""
    return timedelta(seconds=float(os.environ.get("SCAMNET_PUSH_WINDOW_S", "1")))


def max_waiting() -> int:
    """Batches that may wait for the intake before more are told to come back
    (``SCAMNET_PUSH_QUEUE``, default 8): a flood is slowed, never queued without end."""
    return int(os.environ.get("SCAMNET_PUSH_QUEUE", "8"))


class BatchRefused(InvalidRecord):
    """The batch as a whole cannot be read; nothing of it was stored."""


@dataclass
class BatchReceipt:
    """What became of a batch: every line is stored, already stored, or rejected."""

    kind: str
    batch: str  # the first 16 hex digits of the batch's SHA-256
    arrived_at: datetime
    read: int = 0
    stored: int = 0
    already: int = 0
    same_content: bool = False
    rejected: list[tuple[int, str]] = field(default_factory=list)
    alerts: int = 0
    queued: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "batch": self.batch, "arrived_at": self.arrived_at.isoformat(),
            "read": self.read, "stored": self.stored, "already_stored": self.already,
            "same_content_already_received": self.same_content,
            "rejected": len(self.rejected),
            "rejected_lines": [{"line": n, "reason": r}
                               for n, r in self.rejected[:MAX_REJECTS_SHOWN]],
            "alerts": self.alerts, "queued": self.queued,
        }  # fmt: skip


# What the stream does with the rows a batch stored:
# (kind, rows, arrival, the provider's agency) -> (alerts, queued).
OnStored = Callable[[str, Any, datetime, str], tuple[int, int]]


def check_batch(kind: str, body: bytes) -> int:
    """The number of lines of a readable batch; BatchRefused when it cannot be read whole."""
    if kind not in PUSH_KINDS:
        raise BatchRefused(f"{kind!r} is not streamed; one of {', '.join(PUSH_KINDS)}")
    if not body.strip():
        raise BatchRefused("empty batch: send one JSON object per line (NDJSON)")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BatchRefused(
            f"the batch is not UTF-8 (byte {exc.start}); send NDJSON in UTF-8"
        ) from None
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if lines > MAX_LINES:
        raise BatchRefused(f"{lines:,} lines; at most {MAX_LINES:,} in one batch")
    return lines


class PushIntake:
    """Takes pushed batches in, one at a time per process (the kind's lake lock orders
    processes), and hands the rows newly stored to ``on_stored``."""

    def __init__(self, settings: Settings, store: Store, on_stored: OnStored | None = None,
                 threads: int = 1) -> None:  # fmt: skip
        self.settings, self.store, self.on_stored = settings, store, on_stored
        self.ingestor = Ingestor(settings.data_dir, memory_limit="512MB", threads=threads,
                                 settings=settings)  # fmt: skip
        # Bodies are spooled in the ingest's own scratch directory: removed with it, and
        # by the next ingest if this process is killed.
        self.spool = self.ingestor.workdir
        self._lock = threading.Lock()
        self._waiting = 0
        self._count = threading.Lock()

    def close(self) -> None:
        self.ingestor.close()

    def push(self, actor: Actor, kind: str, body: bytes, arrived_at: datetime | None = None,
             limit: bool = True) -> BatchReceipt:  # fmt: skip
        """Take one NDJSON batch of ``kind`` in for ``actor`` (a data provider's token).

        Raises:
            NotAllowed: the actor may not push records.
            BatchRefused: the batch cannot be read as a whole (nothing stored).
            RateLimited: too many batches from this provider, or too many waiting.
        """
        if not actor.may(Permission.RECORDS_PUSH) and actor.roles:
            raise NotAllowed("pushing records needs records.push")
        arrived = arrived_at or datetime.now(UTC)
        check_batch(kind, body)
        if limit:
            self._admit(actor)
        with self._count:
            if limit and self._waiting >= max_waiting():
                raise RateLimited("the intake is saturated; retry shortly", 1)
            self._waiting += 1
        try:
            with self._lock:
                return self._take(actor, kind, body, arrived)
        finally:
            with self._count:
                self._waiting -= 1

    def _admit(self, actor: Actor) -> None:
        with self.store.session() as session:
            window = rate_window()
            if hit(session, f"push:{actor.user}", window) > push_rate():
                session.commit()
                seconds = max(1, int(window.total_seconds()))
                raise RateLimited(f"more than {push_rate()} batches in {seconds} s; slow down",
                                  seconds)  # fmt: skip

    def _take(self, actor: Actor, kind: str, body: bytes, arrived: datetime) -> BatchReceipt:
        digest = hashlib.sha256(body).hexdigest()
        receipt = BatchReceipt(kind, digest[:16], arrived)
        path = self.spool / f"{kind}-{digest[:16]}-{threading.get_ident()}.ndjson"
        path.write_bytes(body)
        try:
            with self.store.session() as session:
                result = self.ingestor.ingest_file(
                    kind, path, Mapping(), StoreLedger(session), StoreSink(session),
                    label=f"push:{actor.user}:{digest[:16]}", keep_new=True,
                )  # fmt: skip
                AuditLog(session).append(actor.user, "records.push", f"ingest:{kind}",
                                         _detail(result))  # fmt: skip
        finally:
            path.unlink(missing_ok=True)
        if result.error:
            message = result.error.replace(str(path), "the batch").replace(path.name, "the batch")
            raise BatchRefused(message)
        receipt.read, receipt.stored, receipt.already = result.read, result.stored, result.already
        receipt.same_content = result.skipped_same_content
        receipt.rejected = sorted(result.lines)
        if self.on_stored is not None and result.new_rows is not None and result.stored:
            receipt.alerts, receipt.queued = self.on_stored(
                kind, result.new_rows, arrived, actor.agency
            )
        return receipt


def _detail(result: FileResult) -> dict[str, Any]:
    # Counts only: never a row value in the audit log.
    return {"batch": result.path, "read": result.read, "stored": result.stored,
            "already_stored": result.already, "rejected": result.n_rejected,
            "same_content": result.skipped_same_content}  # fmt: skip

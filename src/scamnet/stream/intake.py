"""Records pushed as they happen: one NDJSON batch through the same ingestion as a file.

A batch is validated by the file pipeline (`scamnet.ingest.pipeline`): the same
checks, the same rejects store with reasons, the same natural-key de-duplication.
Its SHA-256 goes in the ingest ledger, so a batch sent twice (a retry after a lost
answer) is stored once.

Group commit: one batch is taken in at a time per process; the batches of a kind
that arrive meanwhile wait, and the next one to go takes all of them (up to
``GROUP_LINES`` lines) in as one group: one validation, one lake commit, one pass
of scoring (`scamnet.ingest.grouped`). Each sender still gets its own batch's
answer. Under a heavy load the fixed cost of a commit is shared by every batch
that waited for it, so the intake does not fall behind and build a backlog.

Linger (Kafka's ``linger.ms``): a commit costs about the same for one record as
for a thousand, so under a light load of small batches, a batch that finds the
intake idle waits a little for the next ones of its kind before it goes. The wait
is adaptive and bounded (`linger_for`): never longer than one recent commit took
(what a batch arriving just after would have waited anyway), never past
``linger_bound()`` after the oldest waiting batch arrived, and none at all once
``FULL_LINES`` lines wait, when they have waited that long already (for the lock
of a busy intake), or when batches of the kind come further apart than that (the
wait would be for nothing). A lingering batch is in no lake file and no ledger: a
crash loses only what was never answered, which its sender sends again.

The rule for bad input (docs/stream.md): a batch is **accepted with rejects**. Each
line that is not a valid record is rejected on its own, with its line number and
reason, exactly as a line of a file would be. A batch is refused whole only when
it cannot be read as a batch at all: empty, not UTF-8, more than ``MAX_LINES``
lines, a kind that is not streamed, or a required column that no line has.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scamnet.core.access import Actor, Permission
from scamnet.core.errors import InvalidRecord, NotAllowed, RateLimited
from scamnet.ingest.fastlane import phone_rules
from scamnet.ingest.grouped import Part, ingest_parts
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import FileResult, Ingestor
from scamnet.lake.keyindex import KeyIndex
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.access import hit
from scamnet.store.audit import AuditLog
from scamnet.store.records import StoreLedger, StoreSink

PUSH_KINDS = ("calls", "messages", "transfers", "reports")
MAX_LINES = 10_000  # and at most 1 MiB: the API's body limit
MAX_REJECTS_SHOWN = 1_000  # lines named in one answer; the rejects store keeps them all
LOOKUP_LIMIT = 200_000  # identifiers kept as validated, per type (see LookupCache)
GROUP_LINES = 40_000  # a group stops growing here: its commit and scoring stay short
FULL_LINES = 2_000  # lines waiting that go without lingering: the commit's fixed cost is shared
COST_WEIGHT = 0.2  # of the last commit, in the moving average of a commit's seconds
log = logging.getLogger(__name__)


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


def linger_bound() -> float:
    """The most a batch waits for others (``SCAMNET_PUSH_LINGER_S``, default 0.25 s):
    with a commit, well under the second the issue allows from record to alert."""
    return max(0.0, float(os.environ.get("SCAMNET_PUSH_LINGER_S", "0.25")))


def linger_for(waited_s: float, lines: int, commit_s: float, bound_s: float,
               gap_s: float = 0.0) -> float:  # fmt: skip
    """Seconds the oldest batch waiting still lingers for more (0: take them in now).

    ``waited_s``: since the oldest of them arrived; ``lines``: waiting, of its kind;
    ``commit_s``: what a commit took lately; ``gap_s``: the usual time between two
    batches of the kind. The oldest batch never waits longer than
    ``min(commit_s, bound_s)`` in all, and the others arrived after it; nor at all
    when the next batch is not expected before that time is up (a wait for nothing).
    """
    if lines >= FULL_LINES:
        return 0.0
    left = max(0.0, min(commit_s, bound_s) - waited_s)
    return left if gap_s < left else 0.0


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


# What the stream does with the rows a group of batches stored: (kind, one
# (rows, arrival, the provider's agency) per batch) -> (alerts, queued) per batch.
OnStored = Callable[[str, list[tuple[Any, datetime, str | None]]], list[tuple[int, int]]]


class IntakeFailed(RuntimeError):
    """The group a batch was taken in with failed as a whole (its lake commit is undone
    unless the failure came after it); the sender should send the batch again."""


@dataclass(eq=False)
class _Pending:
    """A batch waiting for its group, and what became of it."""

    actor: Actor
    kind: str
    body: bytes
    arrived: datetime
    lines: int
    queued: float = 0.0  # when it began to wait (the intake's clock)
    receipt: BatchReceipt | None = None
    error: Exception | None = None


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
                 threads: int = 1, owns_store: bool = False,
                 linger_s: float | None = None) -> None:  # fmt: skip
        """``owns_store``: ``store`` was opened for this intake; closing it disposes it.
        ``linger_s``: the linger's bound (default ``linger_bound()``; 0: none)."""
        self.settings, self.store, self.on_stored = settings, store, on_stored
        self.owns_store = owns_store
        self.ingestor = Ingestor(settings.data_dir, memory_limit="512MB", threads=threads,
                                 settings=settings, lookup_limit=LOOKUP_LIMIT)  # fmt: skip
        self.ingestor.key_index = KeyIndex()
        # The phone rules (built once per process from libphonenumber's metadata) are
        # built now, not by the first group: its records would wait for them.
        phone_rules()
        self._lock = threading.Lock()  # one group at a time
        self._count = threading.Condition()  # guards the waiting list; told of arrivals
        self._waiting: list[_Pending] = []
        self.groups = 0  # groups taken in (one lake commit each, at most)
        self.linger_s = linger_bound() if linger_s is None else linger_s
        self.commit_s = 0.0  # moving average of a group's seconds: the linger's measure
        self.lingered = 0  # times a batch waited for others (for tests and benchmarks)
        self._clock: Callable[[], float] = time.monotonic  # a test's logical clock
        self._last: dict[str, float] = {}  # per kind, when its latest batch arrived
        self._gap: dict[str, float] = {}  # per kind, moving average of the time between two

    def close(self) -> None:
        self.ingestor.close()
        if self.owns_store:
            self.store.dispose()

    def push(self, actor: Actor, kind: str, body: bytes, arrived_at: datetime | None = None,
             limit: bool = True) -> BatchReceipt:  # fmt: skip
        """Take one NDJSON batch of ``kind`` in for ``actor`` (a data provider's token).

        Raises:
            NotAllowed: the actor may not push records.
            BatchRefused: the batch cannot be read as a whole (nothing stored).
            RateLimited: too many batches from this provider, or too many waiting.
            IntakeFailed: the batch's group failed (send it again: what was committed
                before the failure is recognised, never stored twice).
        """
        if not actor.may(Permission.RECORDS_PUSH) and actor.roles:
            raise NotAllowed("pushing records needs records.push")
        arrived = arrived_at or datetime.now(UTC)
        lines = check_batch(kind, body)
        if limit:
            self._admit(actor)
        item = _Pending(actor, kind, body, arrived, lines, self._clock())
        with self._count:
            if limit and len(self._waiting) >= max_waiting():
                raise RateLimited("the intake is saturated; retry shortly", 1)
            self._waiting.append(item)
            self._arrived(kind, item.queued)
            self._count.notify_all()  # a lingering batch of this kind may go now
        # Whoever holds the lock takes the oldest batches of its kind waiting; this
        # batch may have gone in someone else's group meanwhile.
        while item.receipt is None and item.error is None:
            self._linger(kind)
            with self._lock:
                if item.receipt is None and item.error is None:
                    self._take_group(self._group(item))
        if item.error is not None:
            raise item.error
        assert item.receipt is not None  # set with the group, or its error is
        return item.receipt

    def push_group(self, actor: Actor, kind: str, bodies: list[bytes],
                   arrivals: list[datetime]) -> list[BatchReceipt | Exception]:  # fmt: skip
        """Take ``bodies`` in as one group at once (a stream worker's fetched messages);
        each body's receipt, or the BatchRefused or IntakeFailed that became of it.
        Not rate limited: the stream itself holds what waits."""
        if not actor.may(Permission.RECORDS_PUSH) and actor.roles:
            raise NotAllowed("pushing records needs records.push")
        slots: list[_Pending | BatchRefused] = []
        for body, arrived in zip(bodies, arrivals, strict=True):
            try:
                slots.append(_Pending(actor, kind, body, arrived, check_batch(kind, body)))
            except BatchRefused as exc:
                slots.append(exc)
        group = [x for x in slots if isinstance(x, _Pending)]
        if group:
            with self._lock:
                self._take_group(group)
        return [_outcome(x) if isinstance(x, _Pending) else x for x in slots]

    def _arrived(self, kind: str, now: float) -> None:
        """Count a batch of ``kind`` in the time between two (under ``_count``)."""
        last = self._last.get(kind)
        self._last[kind] = now
        if last is not None:
            gap = self._gap.get(kind)
            self._gap[kind] = now - last if gap is None else gap + COST_WEIGHT * (now - last - gap)

    def _linger(self, kind: str) -> None:
        """Wait while the batches of ``kind`` waiting may linger (`linger_for`); an
        arrival wakes the wait, and the group goes as soon as it is full."""
        with self._count:
            while True:
                waiting = [x for x in self._waiting if x.kind == kind]
                if not waiting:
                    return  # taken in by another thread's group
                if len(self._waiting) >= max(1, max_waiting() // 2):
                    return  # half the waiting room taken: lingering on would earn a 429
                wait = linger_for(self._clock() - waiting[0].queued,
                                  sum(x.lines for x in waiting), self.commit_s, self.linger_s,
                                  self._gap.get(kind, math.inf))  # fmt: skip
                if wait <= 0:
                    return
                self.lingered += 1
                self._count.wait(wait)

    def _group(self, first: _Pending) -> list[_Pending]:
        """The oldest batches of ``first``'s kind waiting, in arrival order, up to
        ``GROUP_LINES`` lines (at least one)."""
        group: list[_Pending] = []
        lines = 0
        with self._count:
            for item in list(self._waiting):
                if item.kind != first.kind:
                    continue
                if group and lines + item.lines > GROUP_LINES:
                    break
                group.append(item)
                lines += item.lines
                self._waiting.remove(item)
        return group

    def _admit(self, actor: Actor) -> None:
        with self.store.session() as session:
            window = rate_window()
            if hit(session, f"push:{actor.user}", window) > push_rate():
                session.commit()
                seconds = max(1, int(window.total_seconds()))
                raise RateLimited(f"more than {push_rate()} batches in {seconds} s; slow down",
                                  seconds)  # fmt: skip

    def _take_group(self, group: list[_Pending]) -> None:
        """Take ``group`` in; each item gets its receipt or its error."""
        began = time.monotonic()
        try:
            self._take(group)
            took = time.monotonic() - began
            self.commit_s += COST_WEIGHT * (took - self.commit_s)
        except Exception as exc:
            # One line, not a traceback per group: under a flood a busy store fails many.
            log.warning("a group of %d %s batches was not stored: %s: %s", len(group),
                        group[0].kind, type(exc).__name__, exc)  # fmt: skip
            for item in group:
                if item.receipt is None and item.error is None:  # a refused one stays so
                    item.error = IntakeFailed(
                        f"the batch could not be taken in ({type(exc).__name__}); send it "
                        "again: records already stored are recognised, never stored twice"
                    )

    def _take(self, group: list[_Pending]) -> None:
        kind = group[0].kind
        parts = []
        for item in group:
            digest = hashlib.sha256(item.body).hexdigest()
            parts.append(Part(f"push:{item.actor.user}:{digest[:16]}", item.body, digest))
        with self.store.session() as session:
            results = ingest_parts(self.ingestor, kind, parts, Mapping(), StoreLedger(session),
                                   StoreSink(session), keep_new=True)  # fmt: skip
            # One entry per batch, in arrival order, appended in three statements for
            # the group (an append per batch paid the lock, the head and a flush each).
            AuditLog(session).append_many([
                (item.actor.user, "records.push", f"ingest:{kind}", _detail(result))
                for item, result in zip(group, results, strict=True)
            ])  # fmt: skip
        self.groups += 1
        receipts: list[BatchReceipt] = []
        fresh: list[tuple[int, Any]] = []
        for item, part, result in zip(group, parts, results, strict=True):
            receipt = BatchReceipt(kind, part.sha[:16], item.arrived)
            receipts.append(receipt)
            if result.error:
                item.error = BatchRefused(result.error.replace(part.label, "the batch"))
                continue
            receipt.read, receipt.stored = result.read, result.stored
            receipt.already = result.already
            receipt.same_content = result.skipped_same_content
            receipt.rejected = sorted(result.lines)
            if result.new_rows is not None and result.stored:
                fresh.append((len(receipts) - 1, result.new_rows))
        if self.on_stored is not None and fresh:
            counts = self.on_stored(kind, [(rows, group[i].arrived, group[i].actor.agency)
                                           for i, rows in fresh])  # fmt: skip
            for (i, _), (alerts, queued) in zip(fresh, counts, strict=True):
                receipts[i].alerts, receipts[i].queued = alerts, queued
        for item, receipt in zip(group, receipts, strict=True):
            if item.error is None:
                item.receipt = receipt


def _outcome(item: _Pending) -> BatchReceipt | Exception:
    if item.error is not None:
        return item.error
    assert item.receipt is not None  # set with the group, or its error is
    return item.receipt


def _detail(result: FileResult) -> dict[str, Any]:
    # Counts only: never a row value in the audit log.
    return {"batch": result.path, "read": result.read, "stored": result.stored,
            "already_stored": result.already, "rejected": result.n_rejected,
            "same_content": result.skipped_same_content}  # fmt: skip

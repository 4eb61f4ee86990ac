"""Records carried by NATS JetStream between producers and ``scamnet stream`` workers.

Subjects are ``scamnet.records.<kind>``; a message holds one or more NDJSON lines.
The stream keeps messages on disk until a worker acknowledges them (work-queue
retention), and every worker pulls from one durable consumer, so several workers
share the load and each message goes to one of them at a time.

Exactly once, end to end: a worker acknowledges a fetched batch only after its
records are committed to the lake (and the queue). A worker killed before its
acknowledgement has its messages redelivered after ``ack_wait``; they go through
the same natural-key check, so what was committed before the kill is counted
"already stored", never written twice, and what was not is written now. A producer
sets ``Nats-Msg-Id`` to the hash of the message, so a publish retried after a lost
acknowledgement is stored once by the server (its duplicate window).

A fetch returns what the stream holds at once. When that is a few lines only (a
light load of small messages), the worker lingers for more, as the HTTP intake does
(`scamnet.stream.intake.linger_for`): fetching again until ``FULL_LINES`` lines or
the linger's bound, all of them then taken in as one group. Lingering messages are
delivered and not acknowledged: a worker killed meanwhile has them redelivered.

Growth, the other way round: a fetch that comes back full means the worker is
behind the stream, so it fetches again at once, one fetch after the other (never
concurrently), until a fetch comes back short or the group holds ``group_lines``
lines (``GROUP_LINES_DEFAULT``; 0: no growth). All the fetches are taken in as ONE
group: one lake commit and one unit of work in the store, whose fixed cost (the
validation's planning, the lake's copies, the look-ups, the store's side) is shared
by every record of the group. Every message of every fetch is acknowledged only
after that commit: a worker killed mid-group has all of them redelivered, and the
natural-key check sets aside whatever the group had committed.

nats-py is the ``[stream]`` extra, imported here only.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scamnet.core.access import Actor
from scamnet.lake.faults import crash_point
from scamnet.stream.intake import (
    MAX_LINES,
    PUSH_KINDS,
    BatchRefused,
    PushIntake,
    linger_for,
)

log = logging.getLogger(__name__)
STREAM = "SCAMNET_RECORDS"
SUBJECTS = "scamnet.records.*"
DURABLE = "scamnet-workers"
GROUP_LINES_DEFAULT = 20_000  # a worker behind the stream grows its group up to this
GROW_BYTES = 64 * 2**20  # and stops growing past this much data held (NATS messages reach 1 MiB)


def grow_wait_s() -> float:
    """How long a growing fetch waits at most (``SCAMNET_STREAM_GROW_WAIT_S``, default
    0.05 s): the stream had more just now, so a full fetch comes back at once. The
    kill tests lengthen it so that a loaded machine still fills their fetches."""
    return max(0.001, float(os.environ.get("SCAMNET_STREAM_GROW_WAIT_S", "0.05")))


def subject(kind: str) -> str:
    return f"scamnet.records.{kind}"


def _nats() -> Any:
    try:
        import nats
    except ImportError:  # pragma: no cover - the extra is part of [dev]
        raise RuntimeError("the stream needs nats-py: pip install 'scamnet[stream]'") from None
    return nats


async def connect(url: str) -> Any:
    return await _nats().connect(servers=[url], connect_timeout=5, max_reconnect_attempts=5)


async def ensure_stream(js: Any) -> None:
    """Create the records stream if it is not there (file storage, work-queue retention)."""
    from nats.js.api import RetentionPolicy, StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(StreamConfig(
            name=STREAM, subjects=[SUBJECTS], retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE, duplicate_window=120.0,
        ))  # fmt: skip


async def publish(url: str, kind: str, messages: Iterable[bytes], window: int = 256) -> int:
    """Publish NDJSON messages of ``kind``; return how many the server stored (acknowledged).

    Up to ``window`` publishes are in flight at once.
    """
    if kind not in PUSH_KINDS:
        raise BatchRefused(f"{kind!r} is not streamed; one of {', '.join(PUSH_KINDS)}")
    nc = await connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js)
        sent = 0
        pending: list[Any] = []
        for data in messages:
            msg_id = hashlib.sha256(data).hexdigest()[:32]
            pending.append(js.publish(subject(kind), data, headers={"Nats-Msg-Id": msg_id}))
            if len(pending) >= window:
                sent += len(await asyncio.gather(*pending))
                pending = []
        if pending:
            sent += len(await asyncio.gather(*pending))
        return sent
    finally:
        await nc.close()


@dataclass
class WorkerStats:
    batches: int = 0
    groups: int = 0  # groups taken in (one lake commit each, per kind)
    fetches: int = 0  # fetches that returned messages, lingering and growing ones included
    messages: int = 0
    stored: int = 0
    already: int = 0
    rejected: int = 0
    refused: int = 0  # messages refused whole (not NDJSON at all): terminated, logged
    queued: int = 0
    alerts: int = 0
    latencies: list[float] = field(default_factory=list)  # arrival in the stream → done (s)


async def pending(url: str) -> tuple[int, int]:
    """(messages not yet delivered, delivered and not yet acknowledged) of the workers."""
    nc = await connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js)
        info = await js.consumer_info(STREAM, DURABLE)
        return int(info.num_pending), int(info.num_ack_pending)
    finally:
        await nc.close()


class Worker:
    """Pulls batches of messages, takes them in through ``intake``, then acknowledges."""

    def __init__(self, intake: PushIntake, actor: Actor, url: str, batch: int = 200,
                 ack_wait_s: float = 30.0,
                 group_lines: int = GROUP_LINES_DEFAULT) -> None:  # fmt: skip
        """``group_lines``: the lines a group grows to while the worker is behind the
        stream (0: one fetch, and what lingers with it, a group)."""
        self.intake, self.actor, self.url = intake, actor, url
        self.batch, self.ack_wait_s = batch, ack_wait_s
        self.group_lines = group_lines
        self.stats = WorkerStats()
        self.lingered = 0  # fetches made while lingering (for tests and benchmarks)
        self._stop = asyncio.Event()
        self._nc: Any = None

    async def _flush(self) -> None:
        if self._nc is not None:
            await self._nc.flush()

    def stop(self) -> None:
        self._stop.set()

    async def run(self, idle_exit_s: float | None = None) -> WorkerStats:
        """Work until stopped (or idle for ``idle_exit_s`` seconds)."""
        from nats.errors import TimeoutError as FetchTimeout
        from nats.js.api import AckPolicy, ConsumerConfig

        nc = self._nc = await connect(self.url)
        try:
            js = nc.jetstream()
            await ensure_stream(js)
            config = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait_s,
                                    max_ack_pending=20_000)  # fmt: skip
            sub = await js.pull_subscribe(SUBJECTS, durable=DURABLE, stream=STREAM, config=config)
            idle = 0.0
            while not self._stop.is_set():
                try:
                    msgs = await sub.fetch(self.batch, timeout=1.0)
                except (TimeoutError, FetchTimeout):  # nats-py raises either
                    idle += 1.0
                    if idle_exit_s is not None and idle >= idle_exit_s:
                        break
                    continue
                idle = 0.0
                self.stats.fetches += 1
                await self._handle(await self._grow(sub, await self._linger(sub, msgs)))
        finally:
            await nc.close()
        return self.stats

    async def _linger(self, sub: Any, msgs: list[Any]) -> list[Any]:
        """``msgs`` and those fetched while they linger (`linger_for`, from now)."""
        from nats.errors import TimeoutError as FetchTimeout

        clock = self.intake._clock  # a test's logical clock
        began = clock()
        lines = sum(_lines(m.data) for m in msgs)
        while len(msgs) < self.batch:
            wait = linger_for(clock() - began, lines, self.intake.commit_s,
                              self.intake.linger_s)  # fmt: skip
            if wait < 0.005:  # shorter than a fetch's round trip
                break
            self.lingered += 1
            try:
                more = await sub.fetch(self.batch - len(msgs), timeout=wait)
            except (TimeoutError, FetchTimeout):
                break
            self.stats.fetches += 1
            msgs = [*msgs, *more]  # a new list: the caller's fetch is left as it was
            lines += sum(_lines(m.data) for m in more)
        return msgs

    async def _grow(self, sub: Any, msgs: list[Any]) -> list[Any]:
        """``msgs`` and the fetches that follow it while each comes back full (the
        stream holds more), up to ``group_lines`` lines. One fetch after the other,
        none while a group is taken in: the group acknowledges what it fetched after
        its commit, and only then does the worker fetch again."""
        from nats.errors import TimeoutError as FetchTimeout

        lines = sum(_lines(m.data) for m in msgs)
        held = sum(len(m.data) for m in msgs)
        full = len(msgs) >= self.batch
        wait = grow_wait_s()
        while full and lines < self.group_lines and held < GROW_BYTES:
            try:
                more = await sub.fetch(self.batch, timeout=wait)
            except (TimeoutError, FetchTimeout):
                break
            self.stats.fetches += 1
            crash_point("stream-grow")  # delivered, neither committed nor acknowledged
            msgs.extend(more)
            lines += sum(_lines(m.data) for m in more)
            held += sum(len(m.data) for m in more)
            full = len(more) >= self.batch
        return msgs

    async def _handle(self, msgs: list[Any]) -> None:
        """Take a fetched batch in as one group per kind (one lake commit), then
        acknowledge it. Messages are joined into bodies of at most ``MAX_LINES`` lines;
        a body refused whole is taken again message by message."""
        by_kind: dict[str, list[Any]] = defaultdict(list)
        for m in msgs:
            by_kind[m.subject.rsplit(".", 1)[-1]].append(m)
        loop = asyncio.get_running_loop()
        for kind, group in by_kind.items():
            # At most a fetch's messages a body: a body refused whole is taken again
            # message by message, which must stay as short as before groups grew.
            chunks = _chunks(group, self.batch)
            bodies = [b"".join(m.data if m.data.endswith(b"\n") else m.data + b"\n" for m in c)
                      for c in chunks]  # fmt: skip
            arrivals = [min(_arrival(m) for m in c) for c in chunks]
            outcomes = await loop.run_in_executor(
                None, self.intake.push_group, self.actor, kind, bodies, arrivals
            )
            self.stats.groups += 1
            done: list[Any] = []
            for chunk, outcome, arrived in zip(chunks, outcomes, arrivals, strict=True):
                if isinstance(outcome, BatchRefused):
                    done += await self._one_by_one(kind, chunk)
                elif isinstance(outcome, Exception):
                    raise outcome  # not acknowledged: redelivered after ack_wait
                else:
                    done += chunk
                    self._count(outcome, len(chunk), arrived)
            crash_point("stream-ack")  # committed, not yet acknowledged: the worst moment
            # Acknowledged together, then one flush: an acknowledgement lost on the way
            # only means a redelivery, which the natural-key check counts as stored.
            for m in done:
                await m.ack()
            await self._flush()

    def _push(self, kind: str, body: bytes, arrived: datetime) -> Any:
        return self.intake.push(self.actor, kind, body, arrived, limit=False)

    async def _one_by_one(self, kind: str, group: list[Any]) -> list[Any]:
        """A refused batch: take each message alone; terminate the ones refused alone."""
        loop = asyncio.get_running_loop()
        done = []
        for m in group:
            try:
                receipt = await loop.run_in_executor(None, self._push, kind, m.data, _arrival(m))
                self._count(receipt, 1, _arrival(m))
                done.append(m)
            except (BatchRefused, ValueError) as exc:
                log.warning("message %s refused whole: %s", m.metadata.sequence.stream, exc)
                self.stats.refused += 1
                await m.term()
        return done

    def _count(self, receipt: Any, messages: int, arrived: datetime) -> None:
        s = self.stats
        s.batches += 1
        s.messages += messages
        s.stored += receipt.stored
        s.already += receipt.already
        s.rejected += len(receipt.rejected)
        s.queued += receipt.queued
        s.alerts += receipt.alerts
        s.latencies.append((datetime.now(UTC) - arrived).total_seconds())


def _lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _chunks(msgs: list[Any], most: int) -> list[list[Any]]:
    """Consecutive messages joined while their lines stay within ``MAX_LINES`` and
    they number at most ``most``."""
    out: list[list[Any]] = []
    lines = 0
    for m in msgs:
        n = _lines(m.data)
        if not out or lines + n > MAX_LINES or len(out[-1]) >= most:
            out.append([])
            lines = 0
        out[-1].append(m)
        lines += n
    return out


def _arrival(m: Any) -> datetime:
    """When the record reached scamnet: the stream's own timestamp of the message."""
    stamp: datetime = m.metadata.timestamp
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

"""Linger: a small batch that finds the intake idle waits a little for the next ones of
its kind, so that they share one commit; never beyond its bound, and never at the cost
of exactly-once (a crash while batches linger or commit together loses and doubles
nothing once the senders send again)."""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from scamnet.core.access import Actor, UserRole
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.stream.intake import FULL_LINES, BatchReceipt, PushIntake, linger_for
from tests.stream.conftest import lake_rows

TESTER = Actor("tester", "CN-YN-DH", frozenset(UserRole))
HANG_GUARD_S = 600  # a lingering batch that never goes fails the test instead of blocking


def calls(first: int, n: int) -> bytes:
    """``n`` distinct call records, one a line."""
    return b"".join(
        json.dumps({"caller": f"+86138{i % 97:08d}", "callee": f"+86139{i:08d}",
                    "start": f"2023-10-02T13:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i % 10}Z",
                    "duration_s": 30 + i % 200}).encode() + b"\n"
        for i in range(first, first + n)
    )  # fmt: skip


@pytest.fixture
def intake(fresh: Path) -> Iterator[PushIntake]:
    settings = Settings.from_env(fresh)
    store = Store(settings.database_url)
    taker = PushIntake(settings, store)
    yield taker
    taker.close()
    store.dispose()


def test_the_oldest_batch_never_lingers_past_its_bound_nor_past_a_commits_time() -> None:
    for bound in (0.0, 0.05, 0.25, 1.0):
        for commit in (0.0, 0.01, 0.1, 0.3, 5.0):
            for waited in (0.0, 0.01, 0.1, 0.2, 0.25, 0.3, 2.0):
                for lines in (1, 10, FULL_LINES - 1, FULL_LINES, 10 * FULL_LINES):
                    for gap in (0.0, 0.02, 0.2, math.inf):
                        wait = linger_for(waited, lines, commit, bound, gap)
                        assert wait >= 0
                        if wait:
                            assert lines < FULL_LINES  # a full group goes at once
                            assert waited + wait <= min(commit, bound) + 1e-12
                            assert gap < wait  # the next batch is expected meanwhile
                        else:  # no time left, full, or no batch expected in time
                            assert (lines >= FULL_LINES or waited >= min(commit, bound)
                                    or gap >= min(commit, bound) - waited)  # fmt: skip


@pytest.mark.parametrize(("commit_s", "bound_s", "gap_s", "lingered_s"),
                         [(5.0, 0.25, 0.05, 0.25), (0.1, 0.25, 0.05, 0.1),
                          (0.0, 0.25, 0.05, 0.0), (5.0, 0.0, 0.05, 0.0),
                          (5.0, 0.25, 0.3, 0.0)])  # fmt: skip
def test_a_lone_batch_lingers_as_long_as_a_commit_takes_within_the_bound_in_logical_time(
    intake: PushIntake, monkeypatch: pytest.MonkeyPatch, commit_s: float, bound_s: float,
    gap_s: float, lingered_s: float,
) -> None:  # fmt: skip
    now = [1_000.0]
    waits: list[float] = []

    def wait(timeout: float | None = None) -> bool:  # the logical clock moves, nothing sleeps
        assert timeout is not None and timeout > 0
        waits.append(timeout)
        now[0] += timeout
        return False

    intake._clock = lambda: now[0]
    monkeypatch.setattr(intake._count, "wait", wait)
    intake.commit_s, intake.linger_s = commit_s, bound_s
    intake._gap["calls"] = gap_s  # batches of calls came this far apart lately
    receipt = intake.push(TESTER, "calls", calls(0, 3), limit=False)
    assert receipt.stored == 3 and intake.groups == 1
    assert sum(waits) == pytest.approx(lingered_s)
    assert intake.lingered == len(waits)


def test_batches_that_arrive_while_one_lingers_share_its_commit(intake: PushIntake) -> None:
    # A linger of a million seconds: only the arrival that fills the group ends it.
    intake.commit_s = intake.linger_s = 1e6
    intake._gap["calls"] = 0.0
    got: list[BatchReceipt | Exception] = []

    def push_first() -> None:
        try:
            got.append(intake.push(TESTER, "calls", calls(0, 1), limit=False))
        except Exception as exc:  # the test looks at it
            got.append(exc)

    first = threading.Thread(target=push_first)
    first.start()
    while intake.lingered == 0:  # guarded by the join below
        assert first.is_alive(), got
        threading.Event().wait(0.01)
    second = intake.push(TESTER, "calls", calls(1, FULL_LINES - 1), limit=False)
    first.join(HANG_GUARD_S)
    assert not first.is_alive(), "the lingering batch never went"
    (receipt,) = got
    assert isinstance(receipt, BatchReceipt), receipt
    assert (receipt.stored, second.stored) == (1, FULL_LINES - 1)
    assert intake.groups == 1  # one commit for both
    assert lake_rows(intake.settings) == (FULL_LINES, FULL_LINES)
    assert len(RecordLake(intake.settings.lake_dir).log(RecordKind.CALLS).commits()) == 1


CRASHING = """
import sys, threading
from pathlib import Path
from scamnet.core.access import Actor, UserRole
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.stream.intake import PushIntake

root, first, second = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
settings = Settings.from_env(root)
intake = PushIntake(settings, Store(settings.database_url), linger_s=1e6)
intake.commit_s = 1e6  # the first batch lingers until the second fills the group
intake._gap["calls"] = 0.0  # as if batches of calls came close together
actor = Actor("tester", "CN-YN-DH", frozenset(UserRole))
threading.Thread(target=intake.push, args=(actor, "calls", first.read_bytes()),
                 kwargs={"limit": False}, daemon=True).start()
while intake.lingered == 0:
    threading.Event().wait(0.01)
intake.push(actor, "calls", second.read_bytes(), limit=False)
print("the group was committed and answered: no crash")
"""


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["fsync", "published"])
def test_a_crash_while_coalesced_batches_commit_loses_and_doubles_nothing(
    fresh: Path, tmp_path: Path, phase: str
) -> None:
    settings = Settings.from_env(fresh)
    first, second = tmp_path / "first.ndjson", tmp_path / "second.ndjson"
    first.write_bytes(calls(0, 2))
    second.write_bytes(calls(2, FULL_LINES))
    env = {**os.environ, "SCAMNET_DATA_DIR": str(fresh), "SCAMNET_CRASH_AT": phase}
    done = subprocess.run([sys.executable, "-c", CRASHING, str(fresh), str(first), str(second)],
                          env=env, capture_output=True, text=True,
                          timeout=HANG_GUARD_S)  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr
    # Killed before its commit was published: nothing; after: both batches, in one commit.
    before = lake_rows(settings)
    assert before == ((0, 0) if phase == "fsync" else (FULL_LINES + 2, FULL_LINES + 2))
    # Neither sender got an answer: both send again, and each record is stored once.
    store = Store(settings.database_url)
    again = PushIntake(settings, store, linger_s=0)
    try:
        a = again.push(TESTER, "calls", first.read_bytes(), limit=False)
        b = again.push(TESTER, "calls", second.read_bytes(), limit=False)
    finally:
        again.close()
        store.dispose()
    stored = 0 if phase == "published" else 1
    assert (a.stored, a.already) == (2 * stored, 2 * (1 - stored))
    assert (b.stored, b.already) == (FULL_LINES * stored, FULL_LINES * (1 - stored))
    assert lake_rows(settings) == (FULL_LINES + 2, FULL_LINES + 2)


class _Subscription:
    """A pull subscription holding ``waiting`` messages: a fetch takes what is there, or
    times out (the logical clock moves by its timeout) when there is nothing."""

    def __init__(self, waiting: list[SimpleNamespace], now: list[float]) -> None:
        self.waiting, self.now = waiting, now
        self.timeouts: list[float] = []

    async def fetch(self, batch: int, timeout: float) -> list[SimpleNamespace]:
        self.timeouts.append(timeout)
        if not self.waiting:
            self.now[0] += timeout
            raise TimeoutError
        got, self.waiting = self.waiting[:batch], self.waiting[batch:]
        self.now[0] += 0.001  # a round trip
        return got


def _message(lines: int) -> SimpleNamespace:
    return SimpleNamespace(data=b'{"caller": "+8613800138000"}\n' * lines)


@pytest.mark.parametrize(("commit_s", "bound_s"), [(5.0, 0.25), (0.1, 0.25), (0.0, 0.25)])
def test_a_worker_lingers_for_more_messages_within_the_bound_in_logical_time(
    intake: PushIntake, commit_s: float, bound_s: float
) -> None:
    from scamnet.stream.jetstream import Worker

    now = [50.0]
    intake._clock = lambda: now[0]
    intake.commit_s, intake.linger_s = commit_s, bound_s
    worker = Worker(intake, TESTER, "nats://unused", batch=100)
    sub = _Subscription([_message(2) for _ in range(5)], now)
    got = asyncio.run(worker._linger(sub, [_message(1)]))
    if commit_s == 0:  # nothing measured yet: no linger
        assert len(got) == 1 and sub.timeouts == []
        return
    assert len(got) == 6  # the five that came meanwhile joined the first
    assert now[0] - 50.0 <= min(commit_s, bound_s) + 1e-9  # never past the bound
    assert sub.timeouts[-1] > 0 and worker.lingered == len(sub.timeouts)


def test_a_worker_with_a_full_fetch_or_a_full_group_does_not_linger(intake: PushIntake) -> None:
    from scamnet.stream.jetstream import Worker

    intake.commit_s = intake.linger_s = 1e6
    worker = Worker(intake, TESTER, "nats://unused", batch=3)
    sub = _Subscription([_message(1)], [0.0])
    assert len(asyncio.run(worker._linger(sub, [_message(1)] * 3))) == 3  # the fetch is full
    assert len(asyncio.run(worker._linger(sub, [_message(FULL_LINES)]))) == 1  # enough lines
    assert sub.timeouts == [] and worker.lingered == 0


def test_the_time_between_batches_is_measured_per_kind(intake: PushIntake) -> None:
    now = [0.0]
    intake._clock = lambda: now[0]
    intake.linger_s = 0.0  # no linger: only the measure is looked at
    for i, at in enumerate((10.0, 10.5, 11.5)):
        now[0] = at
        intake.push(TESTER, "calls", calls(i, 1), limit=False)
    assert intake._gap["calls"] == pytest.approx(0.5 + 0.2 * (1.0 - 0.5))
    assert "messages" not in intake._gap  # a kind never seen: no linger for it


def test_no_linger_once_half_the_waiting_room_is_taken(
    intake: PushIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lingering batches count as waiting: lingering on would answer the next senders 429.
    monkeypatch.setenv("SCAMNET_PUSH_QUEUE", "2")
    waits: list[float] = []
    monkeypatch.setattr(intake._count, "wait", lambda timeout=None: waits.append(timeout))
    intake.commit_s, intake.linger_s = 5.0, 0.25
    intake._gap["calls"] = 0.0
    assert intake.push(TESTER, "calls", calls(0, 1)).stored == 1
    assert waits == [] and intake.lingered == 0

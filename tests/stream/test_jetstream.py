"""NATS JetStream between producers and ``scamnet stream worker`` processes: a worker
killed mid-batch loses nothing and doubles nothing, and several workers share the load.

Each test starts its own ``nats-server -js`` (conftest) and real worker processes.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.stream.jetstream import pending, publish
from tests.stream.conftest import lake_rows

RECORDS = 3_000
PER_MESSAGE = 20
BAD = 10  # lines that are not records: rejected with their reason, never retried forever
HANG_GUARD_S = 600  # a hung worker fails the test instead of blocking the suite


def _records() -> list[bytes]:
    """RECORDS distinct calls and BAD broken lines, PER_MESSAGE lines a message."""
    start = datetime(2023, 10, 2, 8, tzinfo=UTC)
    lines = []
    for i in range(RECORDS):
        at = (start + timedelta(seconds=i)).isoformat()
        row = {"caller": f"+86138{i % 97:08d}", "callee": f"+86139{i:08d}", "start": at,
               "duration_s": 20 + i % 300}  # fmt: skip
        lines.append(json.dumps(row).encode() + b"\n")
    for i in range(BAD):
        lines.insert(i * 97 + 5, b'{"caller": "+8613800000000", "callee": "nobody %d"}\n' % i)
    return [b"".join(lines[i : i + PER_MESSAGE]) for i in range(0, len(lines), PER_MESSAGE)]


def _worker(root: Path, url: str, batch: int, crash: str | None = None,
            group_lines: int = 0) -> subprocess.Popen[str]:  # fmt: skip
    # A growing fetch waits up to half a second, not 50 ms: on a loaded machine the
    # kill tests' groups still hold the fetches they count on.
    env = {**os.environ, "SCAMNET_DATA_DIR": str(root), "SCAMNET_STREAM_GROW_WAIT_S": "0.5"}
    env.pop("SCAMNET_CRASH_AT", None)
    if crash:
        env["SCAMNET_CRASH_AT"] = crash
    code = "from scamnet.cli.main import app; app()"
    args = [sys.executable, "-c", code, "stream", "worker", "--nats", url, "--batch", str(batch),
            "--ack-wait", "2", "--idle-exit", "6", "--group-lines", str(group_lines)]  # fmt: skip
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)  # fmt: skip


def _commits(settings: Settings) -> int:
    return len(RecordLake(settings.lake_dir).log(RecordKind.CALLS).commits())


def _finish(workers: list[subprocess.Popen[str]]) -> list[str]:
    outputs = []
    for w in workers:
        out, _ = w.communicate(timeout=HANG_GUARD_S)
        assert w.returncode == 0, out
        outputs.append(out)
    return outputs


def _stat(output: str, what: str) -> int:
    found = re.search(rf"([\d,]+) {what}", output)
    assert found, output
    return int(found.group(1).replace(",", ""))


def _check_whole(settings: Settings, url: str, outputs: list[str]) -> None:
    assert asyncio.run(pending(url)) == (0, 0)  # every message acknowledged
    assert lake_rows(settings) == (RECORDS, RECORDS)  # nothing lost, nothing doubled
    rejects = list((settings.rejects_dir / "calls").glob("*.parquet"))
    paths = ", ".join(f"'{f}'" for f in rejects)
    (row,) = duckdb.execute(f"SELECT count(DISTINCT row) FROM read_parquet([{paths}])").fetchall()
    assert row[0] == BAD  # the broken lines, kept with their reasons


@pytest.mark.slow
def test_a_worker_killed_between_its_commit_and_its_ack_doubles_nothing(
    fresh: Path, nats_url: str
) -> None:
    settings = Settings.from_env(fresh)
    assert asyncio.run(publish(nats_url, "calls", _records())) == -(-(RECORDS + BAD) // PER_MESSAGE)
    # The worst moment: its first group, of three fetches (5 messages, 100 lines each),
    # is committed to the lake, not yet acknowledged.
    first = _worker(fresh, nats_url, 5, crash="stream-ack", group_lines=300)
    first.communicate(timeout=HANG_GUARD_S)
    assert first.returncode == -signal.SIGKILL
    committed, _ = lake_rows(settings)
    assert 200 < committed < RECORDS  # more than two fetches' records (a few are rejects)
    # Two workers take over: the killed worker's messages come back after ack_wait and
    # are found already stored; the rest is shared between them. Two messages a fetch
    # keep each worker at it for many commits, so the one that starts second (its
    # imports can lag on a busy machine) still finds work left.
    outputs = _finish([_worker(fresh, nats_url, 2, group_lines=80),
                       _worker(fresh, nats_url, 2, group_lines=80)])  # fmt: skip
    _check_whole(settings, nats_url, outputs)
    assert all(_stat(o, "messages") > 0 for o in outputs), outputs  # both did work
    assert sum(_stat(o, "fetches") for o in outputs) > sum(_stat(o, "groups") for o in outputs)


@pytest.mark.slow
def test_a_worker_killed_while_its_group_grows_loses_nothing(fresh: Path, nats_url: str) -> None:
    settings = Settings.from_env(fresh)
    asyncio.run(publish(nats_url, "calls", _records()))
    # Killed after its group's second fetch: delivered, neither committed nor acknowledged.
    first = _worker(fresh, nats_url, 5, crash="stream-grow", group_lines=1_000)
    first.communicate(timeout=HANG_GUARD_S)
    assert first.returncode == -signal.SIGKILL
    assert lake_rows(settings) == (0, 0)
    assert asyncio.run(pending(nats_url))[1] == 10  # its two fetches, never acknowledged
    outputs = _finish([_worker(fresh, nats_url, 10, group_lines=400)])
    _check_whole(settings, nats_url, outputs)


@pytest.mark.slow
def test_a_worker_killed_at_any_moment_loses_nothing_and_doubles_nothing(
    fresh: Path, nats_url: str
) -> None:
    settings = Settings.from_env(fresh)
    asyncio.run(publish(nats_url, "calls", _records()))
    # Groups of two fetches (5 messages of 20 lines each) or more.
    victim = _worker(fresh, nats_url, 5, group_lines=200)
    guard = time.monotonic() + HANG_GUARD_S
    while _commits(settings) < 3:  # SIGKILL once it is well into its work
        assert victim.poll() is None and time.monotonic() < guard, "the worker stopped early"
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=HANG_GUARD_S)
    assert lake_rows(settings)[0] < RECORDS
    outputs = _finish([_worker(fresh, nats_url, 10, group_lines=400),
                       _worker(fresh, nats_url, 10, group_lines=400)])  # fmt: skip
    _check_whole(settings, nats_url, outputs)
    # Publishing the same messages again (a producer's retry) stores nothing new.
    asyncio.run(publish(nats_url, "calls", _records()))
    _finish([_worker(fresh, nats_url, 50, group_lines=20_000)])
    assert lake_rows(settings) == (RECORDS, RECORDS)

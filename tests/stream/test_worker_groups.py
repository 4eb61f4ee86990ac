"""A stream worker behind the stream grows its group, fetch after fetch, into one
commit: what it stores, rejects and queues from the watch list is exactly what it
would with a group per fetch (``--group-lines 0``). Against a real ``nats-server`` (conftest)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import select

from scamnet.core.access import Actor, UserRole
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.tables.dissuasion import DissuasionRow
from scamnet.stream.arrival import ArrivalProcessor
from scamnet.stream.intake import PushIntake
from scamnet.stream.jetstream import STREAM, Worker, WorkerStats, connect, pending, publish

SCAMMER = "+959441394426"
TESTER = Actor("tester", "CN-YN-DH", frozenset(UserRole))
PER_MESSAGE = 20
BATCH = 5  # messages a fetch: 100 lines
MESSAGES = 60


def _messages() -> list[bytes]:
    """Calls, one in 40 from a watched number (several to the same people), a broken
    line now and then, and records sent again in a later message."""
    lines = []
    for i in range(MESSAGES * PER_MESSAGE - 30):
        caller = SCAMMER if i % 40 == 7 else f"+86138{i % 97:08d}"
        callee = f"+86139{i % 600 if caller == SCAMMER else i:08d}"
        start = f"2023-10-02T{8 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
        row = {"caller": caller, "callee": callee, "start": start, "duration_s": 20 + i % 300}
        lines.append(json.dumps(row).encode() + b"\n")
    for i in range(10):
        lines.insert(i * 113 + 3, b'{"caller": "+8613800000000", "callee": "nobody %d"}\n' % i)
    lines += lines[100:120]  # sent again: already stored, whichever group it lands in
    return [b"".join(lines[i : i + PER_MESSAGE]) for i in range(0, len(lines), PER_MESSAGE)]


def _run(root: Path, url: str, group_lines: int) -> tuple[WorkerStats, dict[str, Any]]:
    """Publish the messages to a new stream, drain it with one worker, and return its
    stats and what became of the records."""
    from scamnet.stream.service import add_watch_list

    settings = Settings.from_env(root)
    store = Store(settings.database_url)
    listed = root.parent / f"partner-{group_lines}.csv"
    listed.write_text(f"kind,identifier,fraud_type\ntel,{SCAMMER},impersonate_authority\n")
    add_watch_list(store, TESTER, listed, "partner-mm")
    processor = ArrivalProcessor(store, settings, TESTER.agency)
    intake = PushIntake(settings, store, processor, linger_s=0)
    try:

        async def drain() -> WorkerStats:
            nc = await connect(url)  # a new stream: the server's duplicate window is its own
            with contextlib.suppress(NotFoundError):  # not there yet
                await nc.jetstream().delete_stream(STREAM)
            await nc.close()
            assert await publish(url, "calls", _messages()) == MESSAGES
            worker = Worker(intake, TESTER, url, BATCH, ack_wait_s=30, group_lines=group_lines)
            stats = await worker.run(idle_exit_s=1)
            assert await pending(url) == (0, 0)  # every message of every fetch acknowledged
            return stats

        stats = asyncio.run(drain())
        return stats, _outcome(settings, store)
    finally:
        intake.close()
        store.dispose()


def _outcome(settings: Settings, store: Store) -> dict[str, Any]:
    files = RecordLake(settings.lake_dir).files(RecordKind.CALLS)
    rejects = list((settings.rejects_dir / "calls").glob("*.parquet"))

    def rows(sql: str, paths: list[Path]) -> list[tuple[Any, ...]]:
        listed = ", ".join(f"'{p}'" for p in paths)
        return sorted(duckdb.execute(sql.format(f"read_parquet([{listed}])")).fetchall())

    with store.session() as s:
        queue = sorted(
            (r.victim, r.contact, r.channel, r.contact_at, r.last_contact_at, r.contacts,
             r.risk, r.urgency, r.source, r.fraud_type)
            for r in s.scalars(select(DissuasionRow))
        )  # fmt: skip
    return {
        "stored": rows("SELECT caller, callee, start, duration_s FROM {}", files),
        "rejected": rows("SELECT DISTINCT row, reason FROM {}", rejects),
        "queue": queue,
    }


def test_a_grown_group_stores_rejects_and_queues_exactly_what_a_group_per_fetch_does(
    fresh: Path, nats_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Growing fetches wait up to half a second: a loaded machine still fills them.
    monkeypatch.setenv("SCAMNET_STREAM_GROW_WAIT_S", "0.5")
    off_root = tmp_path / "off" / "data"
    shutil.copytree(fresh, off_root)  # a second data directory, as fresh as the first
    grown, on = _run(fresh, nats_url, group_lines=1_000)
    single, off = _run(off_root, nats_url, group_lines=0)
    assert on == off
    assert len(on["stored"]) == MESSAGES * PER_MESSAGE - 30  # every call, once
    assert len(on["rejected"]) == 10
    assert len(on["queue"]) == 15  # the watched number's 30 calls reached 15 people
    assert all(r[5] == 2 for r in on["queue"])  # each called twice
    # Growth on: groups of several fetches (ten of 100 lines make 1,000); off: one each.
    assert grown.fetches >= 3 * grown.groups
    assert single.groups == single.fetches > grown.groups
    assert (grown.stored, grown.already) == (single.stored, single.already)

"""Replaying a simulated world's records as a stream, in time order, faster than life.

Used by the replay test and the benchmark: each record is sent when its own time
comes, divided by ``speed`` (100: a day in 14.4 minutes). Records due at the same
tick go in one batch per kind. Values are sent as the world wrote them, messy rows
included, so the stream's validation sees what a file ingest would.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

TIME = {"calls": "start", "messages": "sent_at", "transfers": "at"}
FILES = {"calls": "calls/calls-*.csv", "messages": "messages.csv", "transfers": "transfers.csv"}
COLUMNS = {
    "calls": ("caller", "callee", "start", "duration_s", "imei", "cell_id"),
    "messages": ("sender", "recipient", "sent_at", "text", "channel"),
    "transfers": ("source", "target", "amount", "currency", "at"),
}


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    kind: str
    line: bytes


ALL_KINDS = ("calls", "messages", "transfers")


def world_events(world: Path, start: datetime, end: datetime,
                 kinds: tuple[str, ...] = ALL_KINDS) -> list[Event]:  # fmt: skip
    """The world's records of ``kinds`` timed in [start, end), in time order (NDJSON lines)."""
    con = duckdb.connect()
    out: list[Event] = []
    for kind in kinds:
        pattern = str(world / FILES[kind])
        cols = ", ".join(f'"{c}"' for c in COLUMNS[kind])
        # The names come from the constants above; the world is the caller's own directory.
        rows = con.execute(
            f"SELECT try_cast(\"{TIME[kind]}\" AS TIMESTAMPTZ) AS __t, {cols} "  # noqa: S608
            f"FROM read_csv('{pattern}', all_varchar = true, ignore_errors = true, header = true) "
            "WHERE __t >= ? AND __t < ? ORDER BY __t",
            [start, end],
        ).fetchall()  # fmt: skip
        for at, *values in rows:
            record = dict(zip(COLUMNS[kind], values, strict=True))
            out.append(Event(at, kind, json.dumps(record, ensure_ascii=False).encode() + b"\n"))
    con.close()
    out.sort(key=lambda e: e.at)
    return out


def replay(events: list[Event], send: Callable[[str, bytes], object], speed: float,
           tick_s: float = 0.05) -> float:  # fmt: skip
    """Send ``events`` at ``speed`` times their own pace; return the seconds it took."""
    if not events:
        return 0.0
    began = time.monotonic()
    origin = events[0].at
    i = 0
    while i < len(events):
        now = time.monotonic() - began
        due: dict[str, list[bytes]] = defaultdict(list)
        while i < len(events) and (events[i].at - origin).total_seconds() / speed <= now:
            due[events[i].kind].append(events[i].line)
            i += 1
        for kind, lines in due.items():
            send(kind, b"".join(lines))
        if i < len(events):
            wait = (events[i].at - origin).total_seconds() / speed - (time.monotonic() - began)
            time.sleep(min(max(wait, 0.0), tick_s))
    return time.monotonic() - began

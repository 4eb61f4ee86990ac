"""Replaying a simulated world's records as a stream, in time order, faster than life.

Used by the replay test and the benchmark: each record is sent when its own time
comes, divided by ``speed`` (100: a day in 14.4 minutes). Records due at the same
tick go in one batch per kind. Values are sent as the world wrote them, messy rows
included, so the stream's validation sees what a file ingest would.

Both also share the world as it stood before the replay (`prepare_world`) and the
check that the stream's features equal the batch features (`features_differ`).
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from scamnet.core.access import Actor
from scamnet.engine.features.subscriber_sql import FEATURES
from scamnet.settings import Settings
from scamnet.store import Store

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


@dataclass(frozen=True)
class World:
    """What the replay checks against: the partner's numbers and the ordinary people."""

    listed: set[str]  # one criminal group's numbers, on a partner's watch list
    ordinary: set[str]  # the subscribers who are not fraudsters: the possible victims


def prepare_world(demo: Path, settings: Settings, store: Store, actor: Actor, start: datetime,
                  tmp: Path) -> World:  # fmt: skip
    """The data directory of ``settings`` as it stood before ``start``, from a demo built
    in ``demo`` (``scamnet demo --preset tiny``).

    In it go the demo's champion models and signing key, the cells, the reports filed
    before ``start``, the messages and calls of the days before ``start``'s day (file
    ingest), and the numbers of one criminal group as a partner's watch list, added by
    ``actor`` (who holds data.ingest). ``tmp`` holds the files cut from the world.
    """
    from scamnet.ingest.mapping import Mapping
    from scamnet.ingest.pipeline import Ingestor
    from scamnet.store.records import StoreLedger, StoreSink
    from scamnet.stream.service import add_watch_list

    world = demo / "world"
    source = Settings.from_env(demo)
    shutil.copytree(source.models_dir, settings.models_dir)
    settings.model_signing_key.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source.model_signing_key, settings.model_signing_key)
    day0 = datetime.combine(start.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    con = duckdb.connect()
    # The paths are the caller's own directories; the times are datetimes.
    con.execute(f"COPY (SELECT * FROM read_csv('{world}/reports.csv', all_varchar = true) "  # noqa: S608
                f"WHERE filed_at < '{start.isoformat()}') TO '{tmp}/reports.csv'")  # fmt: skip
    con.execute(f"COPY (SELECT * FROM read_csv('{world}/messages.csv', all_varchar = true, "  # noqa: S608
                f"ignore_errors = true) WHERE try_cast(sent_at AS TIMESTAMPTZ) < "
                f"'{day0.isoformat()}') TO '{tmp}/messages.csv'")  # fmt: skip
    con.close()
    files = [("cells", world / "cells.csv"), ("reports", tmp / "reports.csv"),
             ("messages", tmp / "messages.csv")]  # fmt: skip
    files += [("calls", p) for p in sorted((world / "calls").glob("calls-*.csv"))
              if p.name < f"calls-{day0.date()}"]  # fmt: skip
    ingestor = Ingestor(settings.data_dir, settings=settings)
    try:
        for kind, path in files:
            with store.session() as s:
                result = ingestor.ingest_file(kind, path, Mapping(), StoreLedger(s), StoreSink(s))
                if result.error is not None:
                    raise RuntimeError(f"{path.name}: {result.error}")
    finally:
        ingestor.close()
    with (world / "truth" / "subscribers.csv").open() as fh:
        subs = list(csv.DictReader(fh))
    fraud = [s for s in subs if s["kind"] == "fraud"]
    group = min(s["group_id"] for s in fraud)
    listed = {s["msisdn"] for s in fraud if s["group_id"] == group}
    partner = tmp / "partner.csv"
    rows = "".join(f"tel,{m},impersonate_authority\n" for m in sorted(listed))
    partner.write_text("kind,identifier,fraud_type\n" + rows)
    add_watch_list(store, actor, partner, "partner-mm")
    return World(listed, {s["msisdn"] for s in subs if s["kind"] == "normal"})


def batch_features(settings: Settings, cells: pa.Table, start: date, end: date,
                   work: Path) -> dict[str, dict[str, Any]]:  # fmt: skip
    """The batch subscriber features of the lake's days [start, end], by number."""
    from scamnet.engine import open_engine
    from scamnet.engine.features.subscribers import SubscriberFeatures
    from scamnet.lake import RecordLake

    with open_engine("duckdb") as engine:
        feats = SubscriberFeatures(engine, RecordLake(settings.lake_dir), work, cells)
        return {r["msisdn"]: r for r in engine.fetch(feats.compute(start, end))}


def same(a: Any, b: Any) -> bool:
    """Equal feature values: both absent, equal, or floats equal to rounding."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def features_differ(stream: dict[str, dict[str, Any]], batch: dict[str, dict[str, Any]]
                    ) -> list[tuple[str, str, Any, Any]]:  # fmt: skip
    """Every (number, feature, stream value, batch value) that differs; a number in one
    table only differs in every feature (the other's value None)."""
    out = []
    for m in sorted(set(stream) | set(batch)):
        mine, theirs = stream.get(m), batch.get(m)
        for f in FEATURES:
            a = mine[f] if mine is not None else None
            b = theirs[f] if theirs is not None else None
            if mine is None or theirs is None or not same(a, b):
                out.append((m, f, a, b))
    return out

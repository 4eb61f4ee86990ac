"""Benchmark: a whole day of the demo world replayed as a stream at 100x.

Run:

    .venv/bin/python bench/stream_replay.py --speed 100

The acceptance of issue 22 as a measurement (the test ``tests/stream/test_replay.py``
replays 30 minutes of it; this replays the whole day, 14.4 minutes at 100x):

- a tiny demo world is built (``scamnet demo --preset tiny``); into a fresh data
  directory go its cells, the reports filed before the day, and the calls and
  messages of the days before (file ingest), the demo's champion models, and one
  criminal group's numbers as a partner's watch list;
- ``scamnet``'s API runs under uvicorn on loopback, with the stream intake warmed
  for the day (as a worker would be after a restart: the look-back from the lake);
- the day's calls, messages and transfers are sent to ``POST /v1/records/{kind}`` in
  time order at ``--speed`` times their pace, each tick's records of a kind as one
  batch, each at its scheduled time whether or not the earlier ones were answered;
- measured: for every call of the day from a known scam number (the watch list, the
  reported numbers, the stream's own strong alerts) to an ordinary subscriber, the
  seconds from the record's scheduled send to the victim's queue entry being
  committed (p50, p99, max), and from its arrival at the server; whether each such
  call queued its victim; and whether the stream's features at the day's end equal
  the batch features computed from the lake (every feature of every subscriber).

The load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2023, 10, 5)
AGENCY = "CN-YN-DH"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def build_world(work: Path) -> Path:
    demo = work / "demo"
    cmd = [sys.executable, "-c", "from scamnet.cli.main import app; app()", "demo", "--no-serve",
           "--preset", "tiny", "--data-dir", str(demo)]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("SCAMNET_DATABASE_URL", None)
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return demo


def prepare(demo: Path, data: Path, tmp: Path) -> tuple[set[str], set[str]]:
    """The data directory before the day; returns (the partner's numbers, ordinary people)."""
    from tests.support.users import register

    from scamnet.core.access import Actor, UserRole
    from scamnet.settings import Settings
    from scamnet.store import Store
    from scamnet.stream.replay import prepare_world

    register(data)
    settings = Settings.from_env(data)
    store = Store(settings.database_url)
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    world = prepare_world(demo, settings, store, Actor("tester", AGENCY, frozenset(UserRole)),
                          start, tmp)  # fmt: skip
    store.dispose()
    return world.listed, world.ordinary


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def run(demo: Path, data: Path, speed: float, hours: float) -> dict[str, Any]:
    import uvicorn
    from tests.support.users import PASSWORD

    from scamnet.api.app import create_app
    from scamnet.engine.features.subscriber_sql import FEATURES
    from scamnet.settings import Settings
    from scamnet.store import Store
    from scamnet.store.dissuasion import DissuasionRepository
    from scamnet.stream.arrival import ArrivalProcessor
    from scamnet.stream.intake import PushIntake
    from scamnet.stream.replay import world_events

    settings = Settings.from_env(data)
    store = Store(settings.database_url)
    processor = ArrivalProcessor(store, settings, AGENCY)
    warmed = processor.warm(DAY)
    intake = PushIntake(settings, Store(store.url, store.pool), processor, owns_store=True)
    app = create_app(store, data, settings=settings)
    app.state.push_intake = intake
    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    start = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    events = world_events(demo / "world", start, start + timedelta(hours=hours))
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    failures: list[str] = []
    with httpx.Client(base_url=base, timeout=120, limits=limits) as http:
        token = http.post("/v1/login", json={"username": "tester", "password": PASSWORD}
                          ).json()["token"]  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"}

        def send(kind: str, body: bytes) -> None:
            while True:
                try:
                    r = http.post(f"/v1/records/{kind}", content=body, headers=headers)
                except httpx.TransportError:
                    continue  # a kept-alive connection closed by the server: send again
                if r.status_code not in (429, 503):
                    break
                time.sleep(float(r.headers.get("Retry-After", "1")))
            if r.status_code != 200:
                failures.append(f"{r.status_code}: {r.text[:200]}")

        # Each event's scheduled wall-clock time: the replay's start plus its own offset.
        origin = events[0].at
        load0 = _load()
        with ThreadPoolExecutor(max_workers=8) as pool:
            began_wall = datetime.now(UTC)
            began = time.monotonic()
            futures = []
            i = 0
            while i < len(events):
                now = time.monotonic() - began
                due: dict[str, list[bytes]] = {}
                while i < len(events) and (events[i].at - origin).total_seconds() / speed <= now:
                    due.setdefault(events[i].kind, []).append(events[i].line)
                    i += 1
                for kind, lines in due.items():
                    futures.append(pool.submit(send, kind, b"".join(lines)))
                if i < len(events):
                    wait = (events[i].at - origin).total_seconds() / speed - (
                        time.monotonic() - began)  # fmt: skip
                    time.sleep(min(max(wait, 0.0), 0.05))
            for f in futures:
                f.result()
            elapsed = time.monotonic() - began
        load1 = _load()
    server.should_exit = True
    thread.join(30)

    with store.session() as s:
        known = set(processor.watch.flags) | set(processor.flagged)
        _, items = DissuasionRepository(s).page(frozenset({AGENCY}), None, 100_000, 0)
    return {
        "events": events, "origin": origin, "began_wall": began_wall, "elapsed": elapsed,
        "items": items, "known": known, "warmed": warmed, "failures": failures,
        "load": (load0, load1), "groups": intake.groups, "processor": processor,
        "store": store, "intake": intake, "features": FEATURES, "settings": settings,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=100.0)
    parser.add_argument("--hours", type=float, default=24.0, help="of the day replayed")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--world", type=Path, help="a demo built before (--preset tiny)")
    args = parser.parse_args()
    from scamnet.engine.features.subscribers import CELL_REF
    from scamnet.lake import RecordKind, RecordLake
    from scamnet.store.seeds import cell_reference
    from scamnet.stream.replay import batch_features, features_differ

    work = Path(tempfile.mkdtemp(prefix="stream-replay-"))
    try:
        print(f"load average (1/5/15 min) at setup: {_load()}", flush=True)
        demo = args.world or build_world(work)
        listed, ordinary = prepare(demo, work / "data", work)
        got = run(demo, work / "data", args.speed, args.hours)
        settings, store, processor = got["settings"], got["store"], got["processor"]
        known = got["known"] | listed
        sched = {}  # (victim, contact) -> the scheduled send of its first scam call
        for e in got["events"]:
            if e.kind != "calls":
                continue
            import json

            row = json.loads(e.line)
            if row.get("caller") in known and row.get("callee") in ordinary:
                at = got["began_wall"] + (e.at - got["origin"]) / args.speed
                sched.setdefault((row["callee"], row["caller"]), at)
        lake = RecordLake(settings.lake_dir)
        paths = ", ".join(f"'{f}'" for f in lake.files(RecordKind.CALLS, [DAY.isoformat()]))
        calls = duckdb.execute(f"SELECT caller, callee FROM read_parquet([{paths}])").fetchall()
        scam_calls = {(b, a) for a, b in calls if a in known and b in ordinary}
        items = {(i.victim, i.contact): i for i in got["items"]}
        missing = scam_calls - set(items)
        from_sched = [(_utc(items[k].queued_at) - sched[k]).total_seconds()
                      for k in scam_calls & set(items) if k in sched]  # fmt: skip
        from_arrival = [(_utc(items[k].queued_at) - _utc(items[k].arrived_at)).total_seconds()
                        for k in scam_calls & set(items)]  # fmt: skip

        with store.session() as s:
            cells = cell_reference(s, CELL_REF)
        batch = batch_features(settings, cells, DAY, DAY, work / "batch-features")
        stream = {r["msisdn"]: r for r in processor.rolling.table(DAY, DAY).to_pylist()}
        wrong = features_differ(stream, batch)
        equal = not wrong
        n_calls = sum(1 for e in got["events"] if e.kind == "calls")
        print(f"replayed {len(got['events']):,} records ({n_calls:,} calls) of {DAY} in "
              f"{got['elapsed']:.0f} s at {args.speed:g}x; {got['groups']} lake commits; "
              f"{len(got['failures'])} batches failed; look-back warmed: {got['warmed']:,}")  # fmt: skip
        print(f"load average (1/5/15 min): {got['load'][0]} at the start, {got['load'][1]} "
              f"at the end")  # fmt: skip
        print(f"scam calls to victims (distinct victim, number): {len(scam_calls)}; queued "
              f"{len(scam_calls) - len(missing)}; queue items in all {len(items)}")  # fmt: skip
        for name, values in (("scheduled send", from_sched), ("arrival", from_arrival)):
            if values:
                print(f"record -> queue entry from {name}: p50 {pct(values, 0.5):.3f} s, "
                      f"p99 {pct(values, 0.99):.3f} s, max {max(values):.3f} s "
                      f"(n = {len(values)})")  # fmt: skip
        print(f"stream features equal batch features: {equal} ({len(batch):,} subscribers, "
              f"{len(got['features'])} features; {len(wrong)} values differ)")  # fmt: skip
        got["intake"].close()
        store.dispose()
        if got["failures"]:
            print("failures:", got["failures"][:5])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # tests.support: the registered users
    main()

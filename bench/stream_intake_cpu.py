"""Benchmark: CPU seconds of the stream intake itself, per record, in one process.

Run (``PYTHONPATH`` chooses the code measured: a checkout of the commit before, then this
one; the bench file is the same):

    PYTHONPATH=src .venv/bin/python bench/stream_intake_cpu.py --runs 3

No HTTP, no client in the same process: ``--groups`` groups of ``--batches`` batches of
``--size`` call records each (one call in 100 from a number a victim report names, so
its callee is queued) go through ``PushIntake.push_group`` as a stream worker's fetch
would: validation, lake commit, rolling features, scoring, queue. The figure is records
per CPU second of the process (``time.process_time``: every thread, DuckDB's included),
which a loaded machine changes far less than records per second; the wall rate and the
load average are printed alongside. A warm-up group (models, identifier metadata) is not
counted. Each run starts from an empty data directory; the median of ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stream_bench import calls, setup


def one(size: int, groups: int, batches: int) -> tuple[float, float]:
    """(records per CPU second, records per second) of one run."""
    from scamnet.core.access import Actor, UserRole
    from scamnet.settings import Settings
    from scamnet.store import Store
    from scamnet.stream.service import embedded_intake

    data = Path(tempfile.mkdtemp(prefix="stream-cpu-"))
    try:
        setup(data)
        settings = Settings.from_env(data)
        store = Store(settings.database_url)
        intake = embedded_intake(settings, store, "CN-YN-DH", own_pool=True)
        actor = Actor("bench", "CN-YN-DH", frozenset({UserRole.ANALYST, UserRole.ADMIN}))
        now = datetime.now(UTC)
        bodies = [calls(10**7 + k * size, size) for k in range(groups * batches + 1)]
        intake.push_group(actor, "calls", [bodies[-1]], [now])  # warm-up: not counted
        cpu0, wall0 = time.process_time(), time.monotonic()
        for g in range(groups):
            group = bodies[g * batches : (g + 1) * batches]
            for got in intake.push_group(actor, "calls", group, [now] * len(group)):
                if isinstance(got, Exception) or got.stored != size:
                    raise RuntimeError(f"a batch was not stored whole: {got}")
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        intake.close()
        store.dispose()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    n = groups * batches * size
    return n / cpu, n / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=2_000, help="records a batch")
    parser.add_argument("--batches", type=int, default=2, help="batches a group")
    parser.add_argument("--groups", type=int, default=10)
    args = parser.parse_args()
    per_cpu, per_s = [], []
    for _ in range(args.runs):
        a, b = one(args.size, args.groups, args.batches)
        per_cpu.append(a)
        per_s.append(b)
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{a:,.0f} records per CPU s, {b:,.0f} records/s; load {load}", flush=True)
    print(f"median of {args.runs}: {statistics.median(per_cpu):,.0f} records per CPU s "
          f"({args.groups} groups of {args.batches} x {args.size} calls)")  # fmt: skip


if __name__ == "__main__":
    main()

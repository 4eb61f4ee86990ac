"""Benchmark: scoring speed of the message and subscriber detectors on one core.

Run: .venv/bin/python bench/detect_speed.py [--data ../shared/data] [--runs 3]

The models are trained on the shared datasets, then score many rows (the dev
rows repeated) with the process pinned to one CPU. Reported: rows per second,
median of the runs, with and without the explanations; subscribers also on every
core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import pyarrow as pa

from scamnet.detect.data import read_table
from scamnet.detect.detectors import inputs_from_table, score, train


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = {}
    # Train with every core; only the scoring is pinned to one.
    texts = read_table(args.data / "zh-fraud-texts" / "dev.csv")
    trained = train(inputs_from_table("message", texts, "label"))
    subs = read_table(args.data / "sichuan" / "dev.csv")
    model = train(inputs_from_table("subscriber", subs, "label"))
    model.model.booster.set_params(n_jobs=1)  # type: ignore[union-attr]
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    many = pa.concat_tables([texts.drop(["label"])] * 5)  # 46,280 messages
    for explain in (False, True):
        seconds = timed(
            lambda e=explain: score(trained, inputs_from_table("message", many), e), args.runs
        )
        results[f"messages_per_second{'_explained' if explain else ''}"] = many.num_rows / seconds
        print(results, flush=True)

    tiled = pa.concat_tables([subs.drop(["label"])] * 100)  # 488,400 subscribers
    for explain in (False, True):
        rows = tiled if not explain else tiled.slice(0, 48_840)
        seconds = timed(
            lambda r=rows, e=explain: score(model, inputs_from_table("subscriber", r), e),
            args.runs,
        )
        results[f"subscribers_per_second{'_explained' if explain else ''}"] = (
            rows.num_rows / seconds
        )
    # The subscriber target names no core count: the machine's two, as `scamnet
    # detect` runs (LightGBM on every core).
    os.sched_setaffinity(0, cpus)
    model.model.booster.set_params(n_jobs=len(cpus))  # type: ignore[union-attr]
    seconds = timed(lambda: score(model, inputs_from_table("subscriber", tiled), False), args.runs)
    results[f"subscribers_per_second_{len(cpus)}_cores"] = tiled.num_rows / seconds
    print(json.dumps({k: round(v) for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()

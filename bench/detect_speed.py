"""Benchmark: scoring speed of the message and subscriber detectors, against the plain
models of the baseline ladder (``bench/baselines.py``) in the same run.

Run: .venv/bin/python bench/detect_speed.py [--data ../shared/data] [--runs 3]
[--only messages]

The models are trained on the shared datasets, then score many rows (the dev
rows repeated) with the process pinned to one CPU. Reported: rows per second,
median of the runs, with and without the explanations; subscribers also on every
core. The plain models score the same rows the way their libraries do:
scikit-learn's pipeline (``predict_proba``) for the texts, LightGBM's own
``predict_proba`` on the raw features for the subscribers. The ratios
(shipped / plain) are the figures: absolute rates move with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from baselines import plain_text, plain_trees

from scamnet.detect.data import column, numeric_matrix, read_table
from scamnet.detect.detectors import inputs_from_table, score, train


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def message_rates(data: Path, runs: int) -> dict[str, float]:
    """Messages a second on one core: the shipped model, with and without the
    explanations, and scikit-learn's plain pipeline on the same texts."""
    results: dict[str, float] = {"load_average_before": os.getloadavg()[0]}
    # Train with every core; only the scoring is pinned to one.
    texts = read_table(data / "zh-fraud-texts" / "dev.csv")
    trained = train(inputs_from_table("message", texts, "label"))
    plain_msg = plain_text().fit(column(texts, "text"), column(texts, "label"))
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    many = pa.concat_tables([texts.drop(["label"])] * 5)  # 46,280 messages
    # The first call builds the compiled scorer's tables and loads its kernel
    # (``detect/fused.py``): once a process, so outside the timed runs.
    score(trained, inputs_from_table("message", many.slice(0, 10)), True)
    for explain in (False, True):
        seconds = timed(
            lambda e=explain: score(trained, inputs_from_table("message", many), e), runs
        )
        results[f"messages_per_second{'_explained' if explain else ''}"] = many.num_rows / seconds
        print(results, flush=True)
    many_texts = column(many, "text")
    seconds = timed(lambda: plain_msg.predict_proba(many_texts), runs)
    results["plain_messages_per_second"] = many.num_rows / seconds
    results["load_average_after"] = os.getloadavg()[0]
    os.sched_setaffinity(0, cpus)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["messages"], help="time the message detector only")
    args = parser.parse_args()
    results = message_rates(args.data, args.runs)
    if args.only == "messages":
        out = {k: round(v, 2) if k.startswith("load") else round(v) for k, v in results.items()}
        out["ratio_messages_one_core"] = round(
            results["messages_per_second"] / results["plain_messages_per_second"], 2
        )
        print(json.dumps(out, indent=2))
        return
    # Train with every core; only the scoring is pinned to one.
    subs = read_table(args.data / "sichuan" / "dev.csv")
    model = train(inputs_from_table("subscriber", subs, "label"))
    model.model.booster.set_params(n_jobs=1)  # type: ignore[union-attr]
    raw, _ = numeric_matrix(subs, {"node", "label"})
    plain_sub = plain_trees(n_jobs=1).fit(raw, np.array(column(subs, "label")))
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
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
    # The plain model is timed on the same rows, from its matrix as read by numeric_matrix.
    plain_rows = np.tile(raw, (100, 1))
    seconds = timed(lambda: plain_sub.predict_proba(plain_rows), args.runs)
    results["plain_subscribers_per_second"] = len(plain_rows) / seconds
    # The subscriber target names no core count: the machine's two, as `scamnet
    # detect` runs (LightGBM on every core).
    os.sched_setaffinity(0, cpus)
    model.model.booster.set_params(n_jobs=len(cpus))  # type: ignore[union-attr]
    seconds = timed(lambda: score(model, inputs_from_table("subscriber", tiled), False), args.runs)
    results[f"subscribers_per_second_{len(cpus)}_cores"] = tiled.num_rows / seconds
    plain_sub.set_params(n_jobs=len(cpus))
    seconds = timed(lambda: plain_sub.predict_proba(plain_rows), args.runs)
    results[f"plain_subscribers_per_second_{len(cpus)}_cores"] = len(plain_rows) / seconds
    out: dict[str, float] = {
        k: round(v, 2) if k.startswith("load") else round(v) for k, v in results.items()
    }
    out["ratio_messages_one_core"] = round(
        results["messages_per_second"] / results["plain_messages_per_second"], 2
    )
    out["ratio_subscribers_one_core"] = round(
        results["subscribers_per_second"] / results["plain_subscribers_per_second"], 2
    )
    key = f"subscribers_per_second_{len(cpus)}_cores"
    out[f"ratio_subscribers_{len(cpus)}_cores"] = round(results[key] / results[f"plain_{key}"], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

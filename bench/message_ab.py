"""Benchmark: the message detector's ``score()`` of two versions of the code, in turns.

Run: .venv/bin/python bench/message_ab.py --old ../main/src [--new src] [--rounds 3]

On a shared machine absolute rates move with the load, so the two versions are timed
in alternating child processes (old, new, old, new, ...), each pinned to the same
CPU, on the same model (trained once, pickled) and the same 46,280 zh messages
(``bench/detect_speed.py``'s rows). Each child reports the median process CPU time
of three ``score()`` calls; the figure is new / old of the medians over the rounds.
The children also check that both versions give the same columns.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import hashlib, json, os, pickle, statistics, sys, time
import pyarrow as pa
from scamnet.detect.data import read_table
from scamnet.detect.detectors import inputs_from_table, score
os.sched_setaffinity(0, {int(sys.argv[3])})
trained = pickle.load(open(sys.argv[1], "rb"))
texts = read_table(__import__("pathlib").Path(sys.argv[2])).drop(["label"])
many = pa.concat_tables([texts] * 5)
explain = sys.argv[4] == "1"
rows = many if not explain else many.slice(0, 4628)
score(trained, inputs_from_table("message", rows.slice(0, 10)), explain)
times = []
for _ in range(3):
    began = time.process_time()
    out = score(trained, inputs_from_table("message", rows), explain)
    times.append(time.process_time() - began)
digest = hashlib.sha256(json.dumps(out, ensure_ascii=False).encode()).hexdigest()
print(json.dumps({"cpu": statistics.median(times), "rows": rows.num_rows, "digest": digest}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", type=Path, required=True, help="the src/ of the old code")
    parser.add_argument("--new", type=Path, default=Path(__file__).resolve().parents[1] / "src")
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="time score() with reasons")
    parser.add_argument("--model", type=Path, help="a pickled Trained zh model (else trained)")
    args = parser.parse_args()
    dev = args.data / "zh-fraud-texts" / "dev.csv"
    cpu = min(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or Path(tmp) / "model.pkl"
        train = (
            "import pickle, sys\nfrom pathlib import Path\n"
            "from scamnet.detect.data import read_table\n"
            "from scamnet.detect.detectors import inputs_from_table, train\n"
            "t = read_table(Path(sys.argv[1]))\n"
            "pickle.dump(train(inputs_from_table('message', t, 'label')), open(sys.argv[2], 'wb'))\n"
        )
        env = {**os.environ, "PYTHONPATH": str(args.old.resolve())}
        if args.model is None:
            subprocess.run([sys.executable, "-c", train, str(dev), str(model)], env=env, check=True)
        results: dict[str, list[float]] = {"old": [], "new": []}
        digests: dict[str, set[str]] = {"old": set(), "new": set()}
        load = [os.getloadavg()[0]]
        rows = 0
        for _ in range(args.rounds):
            for name, src in (("old", args.old), ("new", args.new)):
                env = {**os.environ, "PYTHONPATH": str(src.resolve())}
                line = subprocess.run(
                    [sys.executable, "-c", CHILD, str(model), str(dev), str(cpu),
                     "1" if args.explain else "0"],
                    env=env, check=True, capture_output=True, text=True,
                ).stdout.splitlines()[-1]  # fmt: skip
                child = json.loads(line)
                results[name].append(child["cpu"])
                digests[name].add(child["digest"])
                rows = child["rows"]
                print(name, child, flush=True)
        load.append(os.getloadavg()[0])
    old, new = (statistics.median(results[k]) for k in ("old", "new"))
    print(json.dumps({
        "rows": rows,
        "explained": args.explain,
        "old_cpu_seconds": [round(t, 3) for t in results["old"]],
        "new_cpu_seconds": [round(t, 3) for t in results["new"]],
        "old_rows_per_cpu_second": round(rows / old),
        "new_rows_per_cpu_second": round(rows / new),
        "new_over_old_cpu": round(new / old, 3),
        "same_output": digests["old"] == digests["new"] and len(digests["old"]) == 1,
        "load_average_before_after": load,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()

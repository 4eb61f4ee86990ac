"""Benchmark: the simulator's bench preset (20 M+ call records), time and peak memory.

Run: .venv/bin/python bench/simulate_bench.py [--out DIR] [--runs N]
Each run is a fresh process, so peak RSS is that run's own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, sys, time
from pathlib import Path
from scamnet.simulate import PRESETS, simulate
s = simulate(PRESETS["bench"], Path(sys.argv[1]))
print(json.dumps({"calls": s.counts["calls"], "seconds": s.seconds, "rss": s.peak_rss_mib}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for _ in range(args.runs):
        out = args.out or Path(tempfile.mkdtemp(prefix="scamnet-bench-"))
        done = subprocess.run([sys.executable, "-c", CHILD, str(out)], capture_output=True,
                              text=True, check=True)  # fmt: skip
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if args.out is None:
            shutil.rmtree(out)
        print(results[-1], flush=True)
    print(json.dumps({
        "calls": results[0]["calls"],
        "median_seconds": statistics.median(r["seconds"] for r in results),
        "median_calls_per_second": statistics.median(r["calls"] / r["seconds"] for r in results),
        "max_peak_rss_mib": max(r["rss"] for r in results),
        "runs": len(results),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()

"""Benchmark: ingest the bench world's call records (CSV → validated → lake).

Run (after `scamnet simulate --out WORLD --preset bench`):

    .venv/bin/python bench/ingest_bench.py --world WORLD --runs 3

Each run ingests every call file into a fresh data directory in a fresh process
and reports rows read per second and that process's peak RSS.
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
import json, resource, sys, time
from pathlib import Path
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor
from scamnet.store import Store
from scamnet.store.records import StoreLedger, StoreSink
world, data = Path(sys.argv[1]), Path(sys.argv[2])
store = Store(f"sqlite:///{data / 'scamnet.db'}")
store.upgrade()
began = time.perf_counter()
ingestor = Ingestor(data)
read = stored = rejected = 0
for path in sorted((world / "calls").glob("calls-*.csv")):
    with store.session() as s:
        r = ingestor.ingest_file("calls", path, Mapping(), StoreLedger(s), StoreSink(s))
    read, stored, rejected = read + r.read, stored + r.stored, rejected + r.n_rejected
ingestor.close()
seconds = time.perf_counter() - began
print(json.dumps({"read": read, "stored": stored, "rejected": rejected, "seconds": seconds,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for _ in range(args.runs):
        data = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
        try:
            done = subprocess.run([sys.executable, "-c", CHILD, str(args.world), str(data)],
                                  capture_output=True, text=True, check=True)  # fmt: skip
        finally:
            shutil.rmtree(data, ignore_errors=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    print(json.dumps({
        "rows": results[0]["read"], "runs": len(results),
        "median_rows_per_second": statistics.median(r["read"] / r["seconds"] for r in results),
        "median_seconds": statistics.median(r["seconds"] for r in results),
        "max_peak_rss_mib": max(r["rss_mib"] for r in results),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()

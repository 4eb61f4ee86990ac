"""Benchmark: ingest the bench world's call records (CSV → validated → lake).

Run (after `scamnet simulate --out WORLD --preset bench`):

    .venv/bin/python bench/ingest_bench.py --world WORLD --runs 3

Each run ingests every call file into a fresh data directory in a fresh process
and reports rows read per second and that process's peak RSS. Interleaved with
it, in the same run, the baseline: DuckDB alone reading the same CSV files with
their types and writing the same day-partitioned Parquet, without validation,
rejects or de-duplication (the floor for any validated ingest on this machine,
whose speed drifts by a fifth over an hour; the ratio does not). Each side also
reports its CPU time (user + system, its threads and child processes): on a
machine shared with other work, wall time follows the neighbours' load, CPU
time much less so.

To compare two versions of scamnet on the same world, run this script with each
version's interpreter: the children import scamnet from the interpreter that
runs it.
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
use = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"read": read, "stored": stored, "rejected": rejected, "seconds": seconds,
                  "cpu_s": sum(u.ru_utime + u.ru_stime for u in use),
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = """
import json, resource, sys, time
from pathlib import Path
import duckdb
from scamnet.ingest.sources import CSV_BUFFER
from scamnet.lake.append import PARQUET  # the same reader and writer settings
world, data = Path(sys.argv[1]), Path(sys.argv[2])
con = duckdb.connect()
con.execute("SET threads = 2; SET memory_limit = '1GB'; SET TimeZone = 'UTC'")
began = time.perf_counter()
read = 0
types = "{'caller': 'VARCHAR', 'callee': 'VARCHAR', 'start': 'TIMESTAMPTZ', " \\
        "'duration_s': 'INTEGER', 'imei': 'VARCHAR', 'cell_id': 'VARCHAR'}"
for i, path in enumerate(sorted((world / "calls").glob("calls-*.csv"))):
    n = con.execute(
        f"COPY (SELECT *, CAST(start AS DATE) AS day FROM read_csv('{path}', header = true, "
        f"columns = {types}, ignore_errors = true, buffer_size = {CSV_BUFFER})) "
        f"TO '{data}/calls' ({PARQUET}, PARTITION_BY (day), "
        f"FILENAME_PATTERN 'part-{i}-{{i}}', OVERWRITE_OR_IGNORE true)").fetchone()[0]
    read += n
seconds = time.perf_counter() - began
use = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"read": read, "seconds": seconds,
                  "cpu_s": sum(u.ru_utime + u.ru_stime for u in use),
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, world: Path) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        done = subprocess.run([sys.executable, "-c", code, str(world), str(data)],
                              capture_output=True, text=True, check=True)  # fmt: skip
    finally:
        shutil.rmtree(data, ignore_errors=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results, baseline = [], []
    for _ in range(args.runs):
        results.append(_child(CHILD, args.world))
        baseline.append(_child(BASELINE, args.world))
        ratio = results[-1]["seconds"] / baseline[-1]["seconds"]
        cpu = results[-1]["cpu_s"] / baseline[-1]["cpu_s"]
        print(results[-1], baseline[-1], f"scamnet / baseline {ratio:.2f} (CPU time {cpu:.2f})",
              flush=True)  # fmt: skip
    print(json.dumps({
        "rows": results[0]["read"], "runs": len(results),
        "median_rows_per_second": statistics.median(r["read"] / r["seconds"] for r in results),
        "median_seconds": statistics.median(r["seconds"] for r in results),
        "baseline_median_seconds": statistics.median(r["seconds"] for r in baseline),
        "median_ratio": statistics.median(r["seconds"] / b["seconds"]
                                          for r, b in zip(results, baseline, strict=True)),
        "median_cpu_ratio": statistics.median(r["cpu_s"] / b["cpu_s"]
                                              for r, b in zip(results, baseline, strict=True)),
        "max_peak_rss_mib": max(r["rss_mib"] for r in results),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()

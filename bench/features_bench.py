"""Benchmark: subscriber features over 20 M+ call records, against two hand-written baselines.

Run (after `scamnet simulate --preset bench` and `scamnet ingest` of its calls,
messages and cells into DATA_DIR):

    .venv/bin/python bench/features_bench.py --data-dir DATA_DIR --cells WORLD/cells.csv --runs 3

Each run of each contender is a fresh process (so its peak RSS is its own):
scamnet's feature pipeline from cold (no partials), a hand-written DuckDB SQL
query, and Polars' streaming engine. The window is the first run of days that
holds at least 20 M calls. Before timing anything, the three outputs are
compared feature by feature.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb

CHILD = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
sys.path.insert(0, {bench!r})
kind, lake, cells, start, end, out = sys.argv[1:7]
start, end = date.fromisoformat(start), date.fromisoformat(end)
began = time.perf_counter()
if kind == "scamnet":
    import pyarrow.csv as pacsv
    from scamnet.engine import open_engine
    from scamnet.engine.features.subscribers import CELL_REF, SubscriberFeatures
    from scamnet.lake import RecordLake
    ref = pacsv.read_csv(cells).select(CELL_REF.names).cast(CELL_REF)
    with open_engine("duckdb", memory_limit="2.5GB", threads=2) as engine:
        feats = SubscriberFeatures(engine, RecordLake(Path(lake)), Path(out).parent / "features", ref)
        engine.write_parquet(feats.compute(start, end), Path(out))
else:
    import baselines
    getattr(baselines, kind)(Path(lake), Path(cells), start, end, Path(out))
print(json.dumps({{"seconds": time.perf_counter() - began,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
CONTENDERS = ("scamnet", "duckdb_sql", "polars_streaming")


def window(lake: Path, rows: int) -> tuple[date, date, int]:
    per_day = duckdb.sql(
        f"SELECT day, count(*) FROM read_parquet('{lake}/calls/day=*/*.parquet', "
        "hive_partitioning = true) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    total, first = 0, None
    for day, n in per_day:
        if n < 100_000:
            continue  # a spill-over day at the edge of the simulated period
        first = first or day
        total += n
        if total >= rows:
            return first, day, total
    raise SystemExit(f"the lake holds only {total:,} calls; need {rows:,}")


def run(kind: str, lake: Path, cells: Path, start: date, end: date, out: Path) -> dict[str, float]:
    code = CHILD.format(bench=str(Path(__file__).parent))
    done = subprocess.run(
        [sys.executable, "-c", code, kind, str(lake), str(cells), str(start), str(end), str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(a: Path, b: Path) -> dict[str, int]:
    con = duckdb.connect()
    cols = [
        c
        for (c,) in con.execute(
            f"SELECT name FROM parquet_schema('{a}') WHERE name <> 'msisdn' AND num_children IS NULL"
        ).fetchall()
        if c != "schema"
    ]
    bad = {}
    for c in cols:
        (n,) = con.execute(
            f"SELECT count(*) FILTER (WHERE NOT abs(coalesce(a.{c}, -1) - coalesce(b.{c}, -1)) < 1e-9) "
            f"FROM '{a}' a FULL JOIN '{b}' b ON a.msisdn = b.msisdn"
        ).fetchone()
        if n:
            bad[c] = n
    return bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--cells", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000_000)
    args = parser.parse_args()
    lake = args.data_dir / "lake"
    start, end, rows = window(lake, args.rows)
    print(f"window {start} – {end}: {rows:,} calls", flush=True)
    times: dict[str, list[dict[str, float]]] = {k: [] for k in CONTENDERS}
    work = Path(tempfile.mkdtemp(prefix="features-bench-"))
    try:
        for i in range(args.runs):
            for kind in CONTENDERS:
                shutil.rmtree(work / kind, ignore_errors=True)
                (work / kind).mkdir()
                times[kind].append(
                    run(kind, lake, args.cells, start, end, work / kind / "out.parquet")
                )
                print(kind, i, times[kind][-1], flush=True)
            if i == 0:
                for other in CONTENDERS[1:]:
                    diff = compare(work / "scamnet" / "out.parquet", work / other / "out.parquet")
                    print(f"scamnet vs {other}: {diff or 'identical'}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in times.items()}
    fastest = min(med["duckdb_sql"], med["polars_streaming"])
    print(json.dumps({
        "window": [str(start), str(end)], "calls": rows, "runs": args.runs,
        "median_seconds": med,
        "peak_rss_mib": {k: max(r["rss_mib"] for r in v) for k, v in times.items()},
        "scamnet_vs_fastest_baseline": med["scamnet"] / fastest,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()

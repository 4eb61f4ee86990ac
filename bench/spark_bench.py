"""Benchmark: DuckDB against a local Spark (local[2]) on the same definitions.

    # features and the graph build, on an ingested world (calls, messages, transfers)
    .venv/bin/python bench/spark_bench.py ingest --world WORLD --data-dir DATA
    .venv/bin/python bench/spark_bench.py features --data-dir DATA --cells WORLD/cells.csv --days 3 --runs 3
    .venv/bin/python bench/spark_bench.py graph --data-dir DATA --world WORLD --runs 3
    # entity resolution: Splink's DuckDB backend against its Spark backend, the demo world's persons
    .venv/bin/python bench/spark_bench.py er --world DEMO_WORLD --runs 3
    # how big the suspected subgraph is as the simulated population grows
    .venv/bin/python bench/spark_bench.py growth --sizes 5000 20000 80000 --days 4

Each run of each contender is a fresh process. Its peak memory is the peak
resident set (VmHWM) of the Python process plus that of every process it
started (Spark's JVM), read before it exits. Spark's time excludes the JVM's
start, which is reported on its own. Outputs are compared before any figure is
printed: a contender that computes something else is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def _tree() -> list[Path]:
    """The /proc directories of this process and of all its descendants (Spark's JVM)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces and parentheses: fields follow the last ')'.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    me, found = os.getpid(), []
    for pid in parents:
        p = pid
        while p and p != me:
            p = parents.get(p, 0)
        if p == me:
            found.append(Path(f"/proc/{pid}"))
    return found


def peak_rss_mib() -> float:
    """VmHWM of this process and of all its descendants (Spark's JVM), in MiB."""
    total = 0
    for proc in _tree():
        try:
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process and its live descendants (the JVM's
    threads included): on a shared machine, the work done, whoever else runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for proc in _tree():
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / tick


def load() -> float:
    """The one-minute load average: how busy the shared machine was."""
    return os.getloadavg()[0]


def open_bench_engine(name: str) -> Any:
    from scamnet.engine import open_engine

    if name == "duckdb":
        return open_engine("duckdb", threads=2)
    return open_engine("spark", master="local[2]", conf={"spark.driver.memory": "6g"})


# --- children: one contender, one run -------------------------------------------
def child_features(engine_name: str, data: Path, cells: Path, start: date, end: date,
                   out: Path) -> dict[str, Any]:  # fmt: skip
    import pyarrow.csv as pacsv

    from scamnet.engine.features.subscribers import CELL_REF, SubscriberFeatures
    from scamnet.lake import RecordLake

    ref = pacsv.read_csv(cells).select(CELL_REF.names).cast(CELL_REF)
    t0 = time.perf_counter()
    engine = open_bench_engine(engine_name)
    started = time.perf_counter() - t0
    t0, c0, l0 = time.perf_counter(), cpu_seconds(), load()
    feats = SubscriberFeatures(engine, RecordLake(data / "lake"), out.parent / "features", ref)
    engine.write_parquet(feats.compute(start, end, lookback_days=0), out)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    rss, loads = peak_rss_mib(), (l0, load())
    engine.close()
    return {"seconds": seconds, "cpu_s": cpu, "start_s": started, "rss_mib": rss, "load": loads}


def _seeds(world: Path) -> Any:
    import csv

    from scamnet.network.subgraph import Seeds

    seeds = Seeds()
    # Some simulated agencies write GB 18030; the fields read here are ASCII either way.
    with (world / "reports.csv").open(encoding="utf-8", errors="replace") as fh:
        for r in csv.DictReader(fh):
            if r["scammer_phone"]:
                seeds.phones.setdefault(r["scammer_phone"], "named in a victim report")
            if r["scammer_account"]:
                seeds.accounts.setdefault(r["scammer_account"], "named in a victim report")
    return seeds


def child_graph(engine_name: str, data: Path, world: Path, out: Path) -> dict[str, Any]:
    import pyarrow.csv as pacsv

    from scamnet.lake import RecordLake
    from scamnet.network.subgraph import extract

    cells = pacsv.read_csv(world / "cells.csv").select(
        ["cell_id", "lat", "lon", "country", "border"]
    )
    seeds = _seeds(world)
    t0 = time.perf_counter()
    engine = open_bench_engine(engine_name)
    started = time.perf_counter() - t0
    t0, c0, l0 = time.perf_counter(), cpu_seconds(), load()
    engine.attach_lake(RecordLake(data / "lake"))
    engine.register_arrow("cells", cells)
    sub = extract(engine, seeds)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    rss, loads = peak_rss_mib(), (l0, load())
    engine.close()
    out.write_text(json.dumps({"nodes": sub.nodes, "edges": len(sub.edges[0])}))
    return {"seconds": seconds, "cpu_s": cpu, "start_s": started, "rss_mib": rss, "load": loads}


def child_er(engine_name: str, data: Path, out: Path) -> dict[str, Any]:
    from scamnet.resolve.run import resolve
    from scamnet.store import Store
    from scamnet.store.resolution import source_records

    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    with store.session() as s:
        records = source_records(s)
    store.dispose()
    t0 = time.perf_counter()
    engine = open_bench_engine(engine_name)
    started = time.perf_counter() - t0
    t0, c0, l0 = time.perf_counter(), cpu_seconds(), load()
    result = resolve(records, {}, [], [], engine=engine)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    rss, loads = peak_rss_mib(), (l0, load())
    engine.close()
    groups: dict[str, list[str]] = {}
    for uid, cid in result.clusters.items():
        groups.setdefault(cid, []).append(uid)
    out.write_text(json.dumps(sorted(sorted(g) for g in groups.values())))
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "start_s": started,
        "rss_mib": rss,
        "load": loads,
        "records": len(records),
    }


# --- the parent: runs, comparisons, figures -------------------------------------
def run_child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "_child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[:2]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ingest(world: Path, data: Path, kinds: list[str]) -> None:
    from scamnet.cli.context import record_sink  # handovers go through the casework
    from scamnet.ingest.mapping import Mapping
    from scamnet.ingest.pipeline import Ingestor
    from scamnet.store import Store
    from scamnet.store.records import StoreLedger

    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    store.upgrade()
    ingestor = Ingestor(data)
    for kind in kinds:
        paths = sorted((world / "calls").glob("*")) if kind == "calls" else [world / f"{kind}.csv"]
        for path in paths:
            with store.session() as s:
                ingestor.ingest_file(kind, path, Mapping(), StoreLedger(s), record_sink(s))
    ingestor.close()
    store.dispose()


def measure(stage: str, runs: int, make_args: Any, compare: Any, rows: int, unit: str) -> None:
    """Alternate the contenders run by run (so a change in the machine's load falls on
    both), compare their outputs, then print medians, ratios and the extrapolation."""
    results: dict[str, list[dict[str, Any]]] = {"duckdb": [], "spark": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            outs = {}
            for engine in ("duckdb", "spark"):
                run_dir = Path(tmp) / f"{engine}-{i}"
                run_dir.mkdir()
                outs[engine] = run_dir / "out"
                r = run_child([stage, engine, *make_args(outs[engine])])
                results[engine].append(r)
                print(f"  {stage} run {i + 1} {engine}: {r['seconds']:.1f} s wall, "
                      f"{r['cpu_s']:.1f} s CPU, {r['rss_mib']:,.0f} MiB, "
                      f"load {r['load'][0]:.1f}→{r['load'][1]:.1f}", flush=True)  # fmt: skip
            compare(outs["duckdb"], outs["spark"])
            shutil.rmtree(Path(tmp) / f"duckdb-{i}")
            shutil.rmtree(Path(tmp) / f"spark-{i}")
    med = {e: statistics.median(r["seconds"] for r in rs) for e, rs in results.items()}
    cpu = {e: statistics.median(r["cpu_s"] for r in rs) for e, rs in results.items()}
    rss = {e: max(r["rss_mib"] for r in rs) for e, rs in results.items()}
    loads = [x for rs in results.values() for r in rs for x in r["load"]]
    print(f"\n{stage}: {rows:,} {unit}, {runs} runs each, outputs equal; "
          f"load average {min(loads):.1f}–{max(loads):.1f} during the runs")  # fmt: skip
    print("| engine | wall, each run (s) | wall median | CPU median | peak RSS (worst) "
          "| per CPU-second | JVM start |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for e, rs in results.items():
        each = ", ".join(f"{r['seconds']:.1f}" for r in rs)
        start = statistics.median(r["start_s"] for r in rs)
        print(f"| {e} | {each} | {med[e]:.1f} s | {cpu[e]:.1f} s | {rss[e]:,.0f} MiB "
              f"| {rows / cpu[e]:,.0f} {unit} | {start:.1f} s |")  # fmt: skip
    print(
        f"spark ÷ duckdb: wall {med['spark'] / med['duckdb']:.2f}, "
        f"CPU {cpu['spark'] / cpu['duckdb']:.2f}, peak memory {rss['spark'] / rss['duckdb']:.2f}"
    )
    for e in results:
        # A day of 1e9 rows at the measured rate, and the 4-core executors that do it
        # in an hour if the work scales linearly (a scan, then shuffles of independent
        # days' and subscribers' groups). CPU time is the work itself, whoever else
        # shared the machine; wall time x 2 cores is the pessimistic reading.
        by_cpu = 1e9 / (rows / cpu[e])
        by_wall = 1e9 / (rows / med[e] / 2)
        print(
            f"{e}: 1e9 {unit} = {by_cpu / 3600:,.1f} core-hours by CPU time "
            f"({by_wall / 3600:,.1f} by wall time x 2 cores); 4-core executors for one hour: "
            f"{by_cpu / 3600 / 4:,.1f} ({by_wall / 3600 / 4:,.1f})"
        )


def cmd_features(a: argparse.Namespace) -> None:
    import duckdb
    import pyarrow.parquet as pq

    lake = Path(a.data_dir) / "lake"
    # From the second day: the first holds only what time zones pushed before midnight UTC.
    days = sorted(p.name[4:] for p in (lake / "calls").glob("day=*"))[1 : 1 + a.days]
    start, end = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    rows = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{lake}/calls/day=*/*.parquet', hive_partitioning=1) "
        f"WHERE day BETWEEN DATE '{start}' AND DATE '{end}'"
    ).fetchall()[0][0]

    def compare(left: Path, right: Path) -> None:
        a_, b_ = pq.read_table(left).sort_by("msisdn"), pq.read_table(right).sort_by("msisdn")
        assert a_.column("msisdn") == b_.column("msisdn")
        for col in a_.column_names[1:]:
            for x, y in zip(a_.column(col).to_pylist(), b_.column(col).to_pylist(), strict=True):
                assert (x is None) == (y is None), col
                assert x is None or abs(x - y) <= 1e-9 * max(1, abs(x)), col

    measure("features", a.runs, lambda out: [a.data_dir, a.cells, str(start), str(end), str(out)],
            compare, rows, "calls")  # fmt: skip


def cmd_graph(a: argparse.Namespace) -> None:
    import duckdb

    lake = Path(a.data_dir) / "lake"
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{lake}/calls/*/*.parquet')").fetchall()[
        0
    ][0]

    def compare(left: Path, right: Path) -> None:
        assert json.loads(left.read_text()) == json.loads(right.read_text())

    measure("graph", a.runs, lambda out: [a.data_dir, a.world, str(out)], compare, rows, "calls")


def cmd_er(a: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ingest(Path(a.world), data, ["persons", "wanted", "handovers"])
        from scamnet.store import Store
        from scamnet.store.resolution import source_records

        store = Store(f"sqlite:///{data / 'scamnet.db'}")
        with store.session() as s:
            n = len(source_records(s))
        store.dispose()

        def compare(left: Path, right: Path) -> None:
            assert json.loads(left.read_text()) == json.loads(right.read_text()), "clusters differ"

        measure("er", a.runs, lambda out: [str(data), str(out)], compare, n, "records")


def cmd_growth(a: argparse.Namespace) -> None:
    from scamnet.engine import open_engine
    from scamnet.lake import RecordLake
    from scamnet.network.subgraph import extract
    from scamnet.simulate import PRESETS, simulate

    print("| subscribers | groups | workers | calls | seeds (phones, accounts) | subgraph nodes | "
          "of which phones | edges | nodes ÷ workers | nodes ÷ subscribers |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in a.sizes:
        groups = max(1, size // 10_000)
        with tempfile.TemporaryDirectory() as tmp:
            world, data = Path(tmp) / "world", Path(tmp) / "data"
            cfg = PRESETS["demo"].with_overrides(
                subscribers=size, days=a.days, groups=groups, workers_per_group=300,
                messages=size // 4, seed=11,
            )  # fmt: skip
            simulate(cfg, world)
            ingest(world, data, ["calls", "transfers"])
            import pyarrow.csv as pacsv

            cells = pacsv.read_csv(world / "cells.csv").select(
                ["cell_id", "lat", "lon", "country", "border"]
            )
            import csv

            with (world / "truth" / "subscribers.csv").open(
                encoding="utf-8", errors="replace"
            ) as fh:
                workers = sum(1 for r in csv.DictReader(fh) if r["group_id"] not in ("", "-1"))
            seeds = _seeds(world)
            with open_engine("duckdb") as engine:
                engine.attach_lake(RecordLake(data / "lake"))
                engine.register_arrow("cells", cells)
                calls = engine.count(engine.table("calls"))
                sub = extract(engine, seeds)
            phones = sub.kinds.count("phone")
            print(f"| {size:,} | {groups} | {workers:,} | {calls:,} | {len(seeds.phones):,}, "
                  f"{len(seeds.accounts):,} | {len(sub.nodes):,} | {phones:,} | "
                  f"{len(sub.edges[0]):,} | {len(sub.nodes) / max(1, workers):.2f} | "
                  f"{len(sub.nodes) / size:.4f} |", flush=True)  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["_child"]:
        stage, engine, *rest = sys.argv[2:]
        if stage == "features":
            data, cells, start, end, out = rest
            r = child_features(engine, Path(data), Path(cells), date.fromisoformat(start),
                               date.fromisoformat(end), Path(out))  # fmt: skip
        elif stage == "graph":
            data, world, out = rest
            r = child_graph(engine, Path(data), Path(world), Path(out))
        else:
            data, out = rest
            r = child_er(engine, Path(data), Path(out))
        print(json.dumps(r))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("features")
    f.add_argument("--data-dir", required=True)
    f.add_argument("--cells", required=True)
    f.add_argument("--days", type=int, default=3)
    f.add_argument("--runs", type=int, default=3)
    g = sub.add_parser("graph")
    g.add_argument("--data-dir", required=True)
    g.add_argument("--world", required=True)
    g.add_argument("--runs", type=int, default=3)
    e = sub.add_parser("er")
    e.add_argument("--world", required=True)
    e.add_argument("--runs", type=int, default=3)
    i = sub.add_parser("ingest", help="a world's calls, messages and transfers into DATA's lake")
    i.add_argument("--world", required=True)
    i.add_argument("--data-dir", required=True)
    w = sub.add_parser("growth")
    w.add_argument("--sizes", type=int, nargs="+", default=[5_000, 20_000, 80_000])
    w.add_argument("--days", type=int, default=4)
    a = p.parse_args()
    if a.cmd == "ingest":
        ingest(Path(a.world), Path(a.data_dir), ["calls", "messages", "transfers"])
        return
    {"features": cmd_features, "graph": cmd_graph, "er": cmd_er, "growth": cmd_growth}[a.cmd](a)


if __name__ == "__main__":
    main()

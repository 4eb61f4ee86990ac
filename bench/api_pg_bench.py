"""Benchmark: the HTTP API on PostgreSQL, one `scamnet serve` process against two.

Run (wrk from Debian: `apt-get install wrk`):

    .venv/bin/python bench/api_pg_bench.py --known 100000 --runs 3 --seconds 10

A throwaway PostgreSQL server (started from the installed binaries) holds
``--known`` victim reports and 5,000 alerts (the store of `bench/api_bench.py`).
In each run, first one `scamnet serve` process takes the whole load (wrk, 2
threads, 32 connections), then two processes on the same database take it
together (two wrk at once, 1 thread and 16 connections each: the same 32
connections, split as a load balancer would). The one-process figure is the
baseline of the same run. Endpoints: the citizens' check (public, read-only) and
`/v1/alerts?limit=50` with a bearer token, which every call audits: an append to
the hash-chained log, serialised across processes by an advisory lock (that the
chain holds under such load is tests/api/test_serve_postgres.py's). Non-2xx
answers are not counted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # api_bench: the same store and the same wrk parsing
sys.path.insert(0, str(HERE.parent))  # tests.support.postgres: the throwaway server
sys.path.insert(0, str(HERE.parent / "src"))

import api_bench  # noqa: E402
from api_bench import PASSWORD, fill, lua, serving  # noqa: E402


def wrk(url: str, script: Path | None, headers: list[str], secs: int, threads: int,
        connections: int) -> float:  # fmt: skip
    """Successful (2xx) requests per second of one wrk run."""
    # A request is given 30 s before wrk counts it as timed out (wrk's default is 2 s):
    # on a loaded machine a slow answer is still an answer, and its latency shows it.
    return api_bench.wrk(url, script, headers, secs, threads, connections, timeout="30s")[0]


def warm_up(base: str) -> None:
    """One request to each measured route first: a route's modules are imported on its
    first call, which is start-up, not throughput."""
    import httpx

    httpx.get(f"{base}/v1/check/phone/+8613900000001", timeout=600)
    httpx.get(f"{base}/v1/alerts?limit=1", timeout=600)


@contextmanager
def servers(n: int, env: dict[str, str], work: Path) -> Iterator[list[str]]:
    """``n`` `scamnet serve` processes on the same database, each with its own data dir."""
    exe = str(Path(sys.executable).with_name("scamnet"))
    with ExitStack() as stack:
        bases = []
        for i in range(n):
            data = work / f"serve-{i}"
            data.mkdir(exist_ok=True)
            port = stack.enter_context(
                serving(
                    [exe, "serve", "--data-dir", str(data)], {**env, "SCAMNET_DATA_DIR": str(data)}
                )
            )
            base = f"http://127.0.0.1:{port}"
            warm_up(base)
            bases.append(base)
        yield bases


def load(bases: list[str], path: str, script: Path | None, headers: list[str],
         secs: int) -> float:  # fmt: skip
    """Requests per second served (2xx) by ``bases`` together, 32 connections in all."""
    if len(bases) == 1:
        return wrk(bases[0] + path, script, headers, secs, threads=2, connections=32)
    per = 32 // len(bases)
    with ThreadPoolExecutor(len(bases)) as pool:
        runs = [pool.submit(wrk, b + path, script, headers, secs, threads=1, connections=per)
                for b in bases]  # fmt: skip
        return sum(r.result() for r in runs)


def measure(url: str, work: Path, known: int, runs: int, secs: int) -> None:
    import httpx

    env = {**os.environ, "SCAMNET_DATABASE_URL": url}
    fill(url, known)
    script = lua(work / "check.lua", "/v1/check/phone/", known)
    got: dict[str, list[float]] = {k: [] for k in ("check1", "check2", "alerts1", "alerts2")}
    loads: list[float] = []
    for run in range(runs):
        for n in (1, 2):
            with servers(n, env, work) as bases:
                token = httpx.post(f"{bases[0]}/v1/login", json={"username": "bench",
                                   "password": PASSWORD}, timeout=120).json()["token"]  # fmt: skip
                loads.append(os.getloadavg()[0])
                rps = load(bases, "", script, [], secs)
                got[f"check{n}"].append(rps)
                auth = [f"Authorization: Bearer {token}"]
                got[f"alerts{n}"].append(load(bases, "/v1/alerts?limit=50", None, auth, secs))
                loads.append(os.getloadavg()[0])
            print(f"  run {run + 1}, {n} process(es): check {got[f'check{n}'][-1]:,.0f} req/s, "
                  f"alerts {got[f'alerts{n}'][-1]:,.0f} req/s, load {loads[-1]:.1f}", flush=True)  # fmt: skip
    med = {k: statistics.median(v) for k, v in got.items()}
    print(f"\nPostgreSQL, {known:,} known identifiers, {runs} runs of {secs} s per measure, "
          f"load average {min(loads):.1f}–{max(loads):.1f}")  # fmt: skip
    print("| endpoint | 1 process (req/s, median) | 2 processes | 2 ÷ 1 |")
    print("|---|---|---|---|")
    for name, label in (("check", "check (public)"), ("alerts", "alerts?limit=50 (audited)")):
        one, two = med[f"{name}1"], med[f"{name}2"]
        each1 = ", ".join(f"{x:,.0f}" for x in got[f"{name}1"])
        each2 = ", ".join(f"{x:,.0f}" for x in got[f"{name}2"])
        print(f"| {label} | {one:,.0f} ({each1}) | {two:,.0f} ({each2}) | {two / one:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    from tests.support.postgres import running_postgres

    work = Path(tempfile.mkdtemp(prefix="api-pg-bench-"))
    try:
        with running_postgres() as pg:
            measure(pg.create_database("bench"), work, args.known, args.runs, args.seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

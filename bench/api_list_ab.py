"""Benchmark: the alert list at 32 connections, two checkouts alternated, server CPU per list.

Run (wrk from Debian):

    .venv/bin/python bench/api_list_ab.py --before <main>/src --after <branch>/src
    .venv/bin/python bench/api_list_ab.py --before <main>/src --after <branch>/src --postgres

Each checkout serves its own copy of one store (`api_bench.fill`; SQLite, or one throwaway
PostgreSQL database both use) with `scamnet serve --workers N` for each N of
``--workers``, in turn, ``--rounds`` times (the order reversed every other round). Per
server: 50 lists to warm up, ``GET /v1/alerts?limit=50`` closed-loop at 32 connections
(its rate, and **lists per CPU second of the server**: the wrk requests over the CPU time
of the server's processes, read from /proc), then 32 connections paced at half that rate
for ``--paced`` seconds (the p99 of issue 17's target). On a shared machine the lists per
CPU second compare the two checkouts; the p99s move with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import api_bench as bench  # noqa: E402


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its children (the workers of ``--workers N``)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    total = 0.0
    for p in [pid, *(int(c) for c in children.stdout.split())]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(src: str, url: str, work: Path, workers: int, secs: int, paced_secs: int
            ) -> dict[str, Any]:  # fmt: skip
    import httpx

    env = {**os.environ, "PYTHONPATH": src, "SCAMNET_DATABASE_URL": url,
           "SCAMNET_DATA_DIR": str(work), "SCAMNET_LOGIN_ATTEMPTS": "1000"}  # fmt: skip
    cmd = [str(Path(sys.executable).with_name("scamnet")), "serve", "--data-dir", str(work),
           "--workers", str(workers)]  # fmt: skip
    with bench.started(cmd, env) as (port, proc):
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(f"{base}/v1/login", json={"username": "bench",
                           "password": bench.PASSWORD}, timeout=120).json()["token"]  # fmt: skip
        alerts = f"{base}/v1/alerts?limit=50"
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            for _ in range(50):
                client.get(alerts).raise_for_status()
        script = bench.alerts_lua(work / "alerts.lua", token)
        before = tree_cpu(proc.pid)
        out = subprocess.run(["wrk", "-t2", "-c32", f"-d{secs}s", "--latency", "-s", str(script),
                              alerts], capture_output=True, text=True, check=True).stdout  # fmt: skip
        cpu = tree_cpu(proc.pid) - before
        served = re.search(r"(\d+) requests in", out)
        if served is None or "Non-2xx" in out:
            raise RuntimeError(f"not every list was served:\n{out}")
        rate, _ = _parse(out)
        paced = bench.alerts_lua(work / "paced.lua", token, bench.interval_ms(0.5 * rate))
        paced_rate, p99 = bench.wrk(alerts, paced, [], paced_secs)
        return {"workers": workers, "closed_loop_per_s": round(rate, 1),
                "lists_per_server_cpu_s": round(int(served.group(1)) / cpu, 1),
                "paced_per_s": round(paced_rate, 1), "offered_per_s": round(0.5 * rate, 1),
                "paced_p99_ms": round(p99, 1), "load": round(os.getloadavg()[0], 1)}  # fmt: skip


def _parse(out: str) -> tuple[float, float]:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    if rate is None or p99 is None:
        raise RuntimeError(f"wrk said:\n{out}")
    value, unit = float(p99.group(1)), p99.group(2)
    ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    return float(rate.group(1)), ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the src directory of one checkout")
    parser.add_argument("--after", required=True, help="the src directory of the other")
    parser.add_argument("--known", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--paced", type=int, default=10)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    sides = {"before": args.before, "after": args.after}
    root = Path(tempfile.mkdtemp(prefix="api-list-ab-"))
    try:
        if args.postgres:
            from tests.support.postgres import running_postgres

            with running_postgres() as pg:
                url = pg.create_database("bench")
                bench.fill(url, args.known)
                _rounds(args, sides, root, lambda _side: url)
        else:
            bench.fill(f"sqlite:///{root / 'filled.db'}", args.known)
            for side in sides:
                (root / side).mkdir()
                shutil.copyfile(root / "filled.db", root / side / "scamnet.db")
            _rounds(args, sides, root, lambda side: f"sqlite:///{root / side / 'scamnet.db'}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _rounds(args: argparse.Namespace, sides: dict[str, str], root: Path, url: Any) -> None:
    for r in range(args.rounds):
        order = list(sides) if r % 2 == 0 else list(sides)[::-1]
        for workers in (int(w) for w in args.workers.split(",")):
            for side in order:
                (root / side).mkdir(exist_ok=True)
                got = measure(sides[side], url(side), root / side, workers, args.seconds,
                              args.paced)  # fmt: skip
                print(json.dumps({"side": side, **got}), flush=True)


if __name__ == "__main__":
    main()

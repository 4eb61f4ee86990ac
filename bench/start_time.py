"""Benchmark: how long a light command takes to start, against the interpreter alone
and against importing SQLAlchemy's ORM (the floor of any command that reads the store).

    .venv/bin/python bench/start_time.py --runs 7

Each command runs ``--runs`` times in a fresh process, interleaved so that the
machine's load falls alike on all of them; the medians of wall time and of CPU
time (user + system, which a loaded machine inflates less) are printed, with each
command's ratio to the ORM floor. Then ``python -X importtime`` of ``case list``,
summed by top-level package (self time), says where its start goes.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BIN = Path(sys.executable).parent


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _by_package(argv: list[str], env: dict[str, str]) -> Counter[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    spent: Counter[str] = Counter()
    for line in done.stderr.splitlines()[1:]:
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].strip().startswith("import time:"):
            continue
        name = parts[2].strip()
        top = ".".join(name.split(".")[:2]) if name.startswith("scamnet.") else name.split(".")[0]
        spent[top] += int(parts[0].split(":")[1])
    return spent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "SCAMNET_DATA_DIR": str(data)}
        env.pop("SCAMNET_DATABASE_URL", None)
        # A store with its first admin, who opens a few cases: the list reads real rows.
        subprocess.run([str(BIN / "scamnet"), "db", "upgrade", "--admin", "bench.admin",
                        "--agency", "CN-YN-DH", "--password-stdin"], env=env, check=True,
                       input="bench-passphrase-long\n", text=True, stdout=subprocess.DEVNULL)  # fmt: skip
        env["SCAMNET_USER"] = "bench.admin"
        for n in range(3):
            subprocess.run([str(BIN / "scamnet"), "case", "open", f"bench case {n}"], env=env,
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import sqlalchemy.orm (floor)": [sys.executable, "-c", "import sqlalchemy.orm"],
            "scamnet --help": [str(BIN / "scamnet"), "--help"],
            "scamnet case list": [str(BIN / "scamnet"), "case", "list"],
        }
        walls: dict[str, list[float]] = {k: [] for k in commands}
        cpus: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                wall, cpu = _run(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        floor = statistics.median(cpus["import sqlalchemy.orm (floor)"])
        print(f"load average {os.getloadavg()[0]:.1f}; {args.runs} interleaved runs each")
        print(f"{'command':<32} {'wall median':>12} {'cpu median':>11} {'cpu / floor':>12}")
        for name in commands:
            wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
            print(f"{name:<32} {wall:>11.2f}s {cpu:>10.2f}s {cpu / floor:>11.2f}x")
        spent = _by_package(["-m", "scamnet.cli.main", "case", "list"], env)
        total = sum(spent.values())
        print(f"case list imports, self time by package (total {total / 1e6:.2f} s):")
        for package, micros in spent.most_common(12):
            print(f"  {package:<28} {micros / 1e6:6.2f} s  {micros / total:5.1%}")


if __name__ == "__main__":
    main()

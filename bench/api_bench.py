"""Benchmark: the citizens' check and an authenticated alert list under load, with wrk.

Run (wrk from Debian: `apt-get install wrk`):

    .venv/bin/python bench/api_bench.py --known 1000000 --runs 3 --seconds 4

One store per backend (SQLite, then PostgreSQL started from the installed binaries)
holds ``--known`` victim reports, each naming a different scammer's number, and
5,000 alerts. `scamnet serve` (one uvicorn worker, as shipped: the check's memory
keeps answers 30 s) serves it on loopback; in the same run a bare Starlette app under
the same uvicorn answers the same check from a Python dict (the baseline). wrk runs
2 threads and 32 connections unless said otherwise. Measured, per run:

- the bare endpoint, on numbers drawn from a list of 1,000 (half known);
- the check, **remembered**: the same 1,000 numbers, each asked once just before
  (a warm-up of one request per number, less than the memory's 30 s before the
  measure ends), so every answer comes from memory;
- the check, **cold**: every request a number never asked before (a permutation of
  2 × ``--known`` numbers, half of them known), so every answer is read from the store;
- ``GET /v1/alerts?limit=50`` with a bearer token at 32, 4 and 1 connections.

Each is measured **closed-loop** (each connection sends its next request when the
answer arrives: the throughput at saturation, and a p99 that is mostly queueing) and
**paced**: each of the 32 connections waits a fixed interval (±50%, at random) after
each answer, so that all together offer 50% and 80% of the bare endpoint's
closed-loop throughput (the list: of its own, for at least 10 s; at 4 and 1
connections, 50% of its own closed-loop rate at that many connections). wrk
cannot send on a fixed schedule, so a paced connection still waits for its answer:
the rate reached is reported beside the one offered, and a stalled server is asked
less (not an open-loop test). Each figure is the median over ``--runs`` runs; the
load average is printed with each. ``--workers N`` serves scamnet with N processes
(`scamnet serve --workers`); the bare endpoint keeps one.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support.postgres starts the throwaway server

PASSWORD = "bench-passphrase-long"
RNG = random.Random(2023)  # noqa: S311  a reproducible sample, not a secret


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def number(i: int) -> str:
    return f"+86139{i:08d}"


def fill(url: str, known: int) -> None:
    """Migrate, load agencies, a user, ``known`` reports and 5,000 alerts."""
    from scamnet.core.access import UserRole
    from scamnet.core.reference import reference_agencies
    from scamnet.security.users import add_user
    from scamnet.store import Store
    from scamnet.store.agencies import AgencyRepository
    from scamnet.store.alerts import Alert, AlertRepository
    from scamnet.store.records import StoreSink

    store = Store(url)
    store.upgrade()
    now = datetime.now(UTC)
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        add_user(s, None, "bench", PASSWORD, frozenset({UserRole.ANALYST, UserRole.ADMIN}),
                 "CN-YN-DH")  # fmt: skip
    types = ["impersonate_authority", "customer_service", "investment", "romance"]
    step = 50_000
    for start in range(0, known, step):
        rows = [{"report_id": f"R{i}", "filed_at": now, "bureau": "CN-YN-DH",
                 "fraud_type": types[i % 4], "scammer_phone": number(i)}
                for i in range(start, min(known, start + step))]  # fmt: skip
        with store.session() as s:  # the store's own bulk writer, as ingest uses it
            StoreSink(s).insert("reports", rows)
    alerts = [Alert("subscriber", number(i), RNG.random(), "1", "bench", "w",
                    "calls many numbers once") for i in range(5000)]  # fmt: skip
    with store.session() as s:
        AlertRepository(s).add_many(alerts)
    store.dispose()
    # The fill leaves ~150 MB of dirty pages (SQLite) in the page cache; the store's
    # first WAL checkpoint fsyncs the file and would pay for writing them all back
    # (329 ms once, measured), inside whichever measured request committed then.
    os.sync()


@contextmanager
def serving(args: list[str], env: dict[str, str]) -> Iterator[int]:
    with started(args, env) as (port, _):
        yield port


@contextmanager
def started(args: list[str], env: dict[str, str]) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """The server of ``args`` on a free port, once it answers; its port and process."""
    port = _port()
    proc = subprocess.Popen([*args, "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "serving" not in line:
            raise RuntimeError(f"server did not start: {line}{proc.stdout.read()}")
        # The socket is bound before the app is built: wait until it answers, so no
        # measured second is spent importing.
        import httpx

        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=60).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer within 10 minutes")
            time.sleep(0.2)
        yield port, proc
    finally:
        # A graceful stop waits for the requests still queued when wrk stops (many,
        # on a loaded machine); after a minute the server is killed.
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(url: str, script: Path | None, headers: list[str], seconds: int, threads: int = 2,
        connections: int = 32, timeout: str | None = None) -> tuple[float, float]:  # fmt: skip
    """Successful requests per second and p99 latency (ms) of one wrk run.

    Answers other than 2xx (a 503 "busy" from a locked store) are not counted as served.
    ``timeout`` is how long wrk gives a request before counting it as timed out (its
    default is 2 s).
    """
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if timeout is not None:
        cmd += ["--timeout", timeout]
    for h in headers:
        cmd += ["-H", h]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    value, unit = float(p99.group(1)), p99.group(2)
    ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    if errors and total:
        failed = int(errors.group(1))
        print(f"  {url}: {failed} of {total.group(1)} answers were not 2xx", flush=True)
        rps *= 1 - failed / int(total.group(1))
    return rps, ms


def lua(path: Path, prefix: str, known: int, interval_ms: float = 0.0) -> Path:
    """A script asking for numbers drawn from 1,000 (half known); with ``interval_ms``
    each connection waits that long (±50%) after each answer."""
    sample = [number(RNG.randrange(known)) if i % 2 else number(known + i) for i in range(1000)]
    path.write_text(
        "local n = {" + ",".join(f'"{x}"' for x in sample) + "}\n"
        "request = function() return wrk.format('GET', '" + prefix + "' .. "
        "n[math.random(#n)]) end\n" + _pace(interval_ms),
        encoding="utf-8",
    )
    return path


def sample_numbers(script: Path) -> list[str]:
    """The 1,000 numbers of a ``lua`` script."""
    return re.findall(r'"(\+\d+)"', script.read_text(encoding="utf-8").splitlines()[0])


def cold_lua(path: Path, prefix: str, known: int, start: int, interval_ms: float = 0.0) -> Path:
    """A script whose every request names a number not asked before: request k of
    thread t asks number ((start + t + k·threads) · 1,000,003) mod 2·known, a
    permutation of 2·known numbers (1,000,003 is prime to it), half of them known."""
    span = 2 * known
    path.write_text(
        "local threads, k, t = 0, 0, 0\n"
        "local made = 0\n"
        "function setup(thread) thread:set('t', made); made = made + 1 end\n"
        "function init(args) t = tonumber(wrk.thread:get('t')) or 0 end\n"
        "request = function()\n"
        f"  local i = (({start} + t + k * 2) * 1000003) % {span}\n"
        "  k = k + 1\n"
        f"  return wrk.format('GET', string.format('{prefix}+86139%08d', i))\n"
        "end\n" + _pace(interval_ms),
        encoding="utf-8",
    )
    return path


def _pace(interval_ms: float) -> str:
    if interval_ms <= 0:
        return ""
    return f"delay = function() return {interval_ms:.3f} * (0.5 + math.random()) end\n"


def alerts_lua(path: Path, token: str, interval_ms: float = 0.0) -> Path:
    path.write_text(
        f"wrk.headers['Authorization'] = 'Bearer {token}'\n" + _pace(interval_ms),
        encoding="utf-8",
    )
    return path


BARE = """
import sys, uvicorn, socket
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
known = {f"+86139{i:08d}": "investment" for i in range(int(sys.argv[1]))}
async def check(request):
    value = request.path_params["value"]
    hit = known.get(value)
    return JSONResponse({"kind": "phone", "value": value,
                         "risk": "high" if hit else "unknown", "reasons": [hit] if hit else []})
app = Starlette(routes=[Route("/v1/check/phone/{value}", check)])
port = int(sys.argv[3])
print("serving", flush=True)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""

CONNECTIONS = 32
PACED = (0.5, 0.8)  # shares of the bare endpoint's closed-loop throughput offered


class Figures:
    """Each measure's runs: requests per second, p99 (ms) and the load average."""

    def __init__(self) -> None:
        self.runs: dict[str, list[tuple[float, float, float]]] = {}

    def add(self, name: str, rps: float, p99: float, offered: float | None = None) -> None:
        load = os.getloadavg()[0]
        self.runs.setdefault(name, []).append((rps, p99, load))
        asked = f" (offered {offered:,.0f}/s)" if offered else ""
        print(f"  {name}: {rps:,.0f} req/s{asked}, p99 {p99:.1f} ms, load {load:.1f}", flush=True)

    def median(self, name: str) -> tuple[float, float]:
        runs = self.runs[name]
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    def loads(self) -> tuple[float, float]:
        every = [r[2] for runs in self.runs.values() for r in runs]
        return min(every), max(every)


def interval_ms(rate: float, connections: int = CONNECTIONS) -> float:
    """Each connection's wait after an answer, so that ``connections`` offer ``rate``."""
    return connections / rate * 1000


def measure(backend: str, url: str, work: Path, known: int, runs: int, secs: int,
            workers: int = 1) -> Figures:  # fmt: skip
    env = {**os.environ, "SCAMNET_DATABASE_URL": url, "SCAMNET_DATA_DIR": str(work),
           "SCAMNET_CHECK_CACHE_S": "30", "SCAMNET_LOGIN_ATTEMPTS": "1000"}  # fmt: skip
    fill(url, known)
    prefix = "/v1/check/phone/"
    script = lua(work / "check.lua", prefix, known)
    numbers = sample_numbers(script)
    bare_py = work / "bare.py"
    bare_py.write_text(BARE, encoding="utf-8")
    scamnet = [str(Path(sys.executable).with_name("scamnet")), "serve", "--data-dir", str(work),
               "--workers", str(workers)]  # fmt: skip
    got = Figures()
    fresh = 0  # where the next cold script starts in the permutation: never asked before

    def cold(interval: float = 0.0) -> Path:
        nonlocal fresh
        fresh += 400_000  # more requests than any measure sends
        return cold_lua(work / f"cold-{fresh}.lua", prefix, known, fresh, interval)

    for _ in range(runs):
        port = _port()
        proc = subprocess.Popen([sys.executable, str(bare_py), str(known), "x", str(port)],
                                stdout=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert proc.stdout is not None
            proc.stdout.readline()
            time.sleep(1.0)
            base = f"http://127.0.0.1:{port}"
            bare, p99 = wrk(base, script, [], secs)
            got.add("bare, closed-loop", bare, p99)
            for share in PACED:
                paced = lua(work / "bare-paced.lua", prefix, known, interval_ms(share * bare))
                rps, p99 = wrk(base, paced, [], secs)
                got.add(f"bare, paced {share:.0%}", rps, p99, share * bare)
        finally:
            proc.terminate()
            proc.wait(10)
        with serving(scamnet, env) as port:
            import httpx

            base = f"http://127.0.0.1:{port}"
            token = httpx.post(f"{base}/v1/login", json={"username": "bench",
                               "password": PASSWORD}, timeout=120).json()["token"]  # fmt: skip
            for share in (None, *PACED):
                # Each number asked once just before: remembered for the whole measure
                # (the warm-up and the measure together stay under the memory's 30 s).
                with httpx.Client(base_url=base, timeout=60) as client:
                    for n in numbers:
                        client.get(f"{prefix}{n}").raise_for_status()
                if share is None:
                    rps, p99 = wrk(base, script, [], secs)
                    got.add("check remembered, closed-loop", rps, p99)
                else:
                    paced = lua(work / "rem-paced.lua", prefix, known, interval_ms(share * bare))
                    rps, p99 = wrk(base, paced, [], secs)
                    got.add(f"check remembered, paced {share:.0%}", rps, p99, share * bare)
            rps, p99 = wrk(base, cold(), [], secs)
            got.add("check cold, closed-loop", rps, p99)
            for share in PACED:
                rps, p99 = wrk(base, cold(interval_ms(share * bare)), [], secs)
                got.add(f"check cold, paced {share:.0%}", rps, p99, share * bare)
            alerts = f"{base}/v1/alerts?limit=50"
            listed, p99 = wrk(alerts, alerts_lua(work / "alerts.lua", token), [], secs)
            got.add("alerts, closed-loop, 32 connections", listed, p99)
            # One analyst (the list's own time), four at once.
            few: dict[int, float] = {}
            for c in (4, 1):
                rps, p99 = wrk(alerts, alerts_lua(work / "alerts.lua", token), [], secs,
                               threads=1, connections=c)  # fmt: skip
                few[c] = rps
                got.add(f"alerts, closed-loop, {c} connection{'s' if c > 1 else ''}", rps, p99)
            for c, rate in few.items():
                # The same analysts pausing between lists: half their closed-loop rate.
                paced = alerts_lua(work / "alerts-few.lua", token, interval_ms(0.5 * rate, c))
                rps, p99 = wrk(alerts, paced, [], max(secs, 10), threads=1, connections=c)
                got.add(f"alerts, paced 50% of its own, {c} connection{'s' if c > 1 else ''}",
                        rps, p99, 0.5 * rate)  # fmt: skip
            for share in PACED:
                # At tens of lists a second, 32 paced connections each send one every
                # second or more: at least 10 s, so the p99 has a hundred answers behind it.
                paced = alerts_lua(work / "alerts-paced.lua", token, interval_ms(share * listed))
                rps, p99 = wrk(alerts, paced, [], max(secs, 10))
                got.add(f"alerts, paced {share:.0%} of its own, 32 connections", rps, p99,
                        share * listed)  # fmt: skip
    return got


def table(known: int, runs: int, secs: int, results: dict[str, Figures], workers: int = 1) -> None:
    """The whole table, one column per backend (medians), with the ratios to the bare."""
    names = list(next(iter(results.values())).runs)
    loads = [f.loads() for f in results.values()]
    print(f"\n{known:,} known identifiers; scamnet serve --workers {workers}; medians of "
          f"{runs} run(s) of {secs} s per measure; load average {min(x[0] for x in loads):.1f}-{max(x[1] for x in loads):.1f}\n")  # fmt: skip
    print("| Measure | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for name in names:
        cells = []
        for figures in results.values():
            rps, p99 = figures.median(name)
            cell = f"{rps:,.0f} req/s, p99 {p99:.1f} ms"
            if name.startswith("check"):
                bare = figures.median(name.replace("check remembered", "bare")
                                      .replace("check cold", "bare"))[0]  # fmt: skip
                cell += f" (**{rps / bare:.2f}** of the bare)"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=1,
                        help="scamnet serve's processes (the bare endpoint keeps one)")  # fmt: skip
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    results: dict[str, Figures] = {}
    for backend in args.backends.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"api-bench-{backend}-"))
        print(f"{backend}:", flush=True)
        try:
            if backend == "sqlite":
                results["SQLite"] = measure(backend, f"sqlite:///{work / 'scamnet.db'}", work,
                                            args.known, args.runs, args.seconds,
                                            args.workers)  # fmt: skip
            else:
                from tests.support.postgres import running_postgres

                with running_postgres() as pg:
                    results["PostgreSQL"] = measure(backend, pg.create_database("bench"), work,
                                                    args.known, args.runs, args.seconds,
                                            args.workers)  # fmt: skip
        finally:
            shutil.rmtree(work, ignore_errors=True)
    table(args.known, args.runs, args.seconds, results, args.workers)


if __name__ == "__main__":
    main()

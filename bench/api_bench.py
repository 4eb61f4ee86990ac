"""Benchmark: the citizens' check and an authenticated alert list under load, with wrk.

Run (wrk from Debian: `apt-get install wrk`):

    .venv/bin/python bench/api_bench.py --known 1000000 --runs 3

One store per backend (SQLite, then PostgreSQL started from the installed binaries)
holds ``--known`` victim reports, each naming a different scammer's number, and
5,000 alerts. `scamnet serve` (one uvicorn worker, as shipped) serves it on
loopback. wrk (2 threads, 32 connections, 10 s) asks `GET /v1/check/phone/NUMBER`
for numbers drawn from a list of 1,000 (half known, half unknown), and
`GET /v1/alerts?limit=50` with a bearer token (at 32 connections, then at 1 and 4 on one
wrk thread: the list's own time, and a few analysts at once). In the same run, a bare Starlette
app served by the same uvicorn answers the same check from a Python dict: the
baseline. Each figure is the median over ``--runs`` runs.

The check is measured after a warm-up run of the same length (its answers are kept
30 s in the process, as a service that has been up for a while keeps them), and
again on a second server with that memory off (``SCAMNET_CHECK_CACHE_S=0``): every
question then goes to the store.
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
ALERT_CONNECTIONS = (1, 4)
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


@contextmanager
def serving(args: list[str], env: dict[str, str]) -> Iterator[int]:
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
        yield port
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


def lua(path: Path, prefix: str, known: int) -> Path:
    sample = [number(RNG.randrange(known)) if i % 2 else number(known + i) for i in range(1000)]
    path.write_text(
        "local n = {" + ",".join(f'"{x}"' for x in sample) + "}\n"
        "request = function() return wrk.format('GET', '" + prefix + "' .. "
        "n[math.random(#n)]) end\n",
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


def measure(
    backend: str, url: str, work: Path, known: int, runs: int, secs: int
) -> dict[str, list[float]]:
    env = {**os.environ, "SCAMNET_DATABASE_URL": url, "SCAMNET_DATA_DIR": str(work)}
    fill(url, known)
    script = lua(work / "check.lua", "/v1/check/phone/", known)
    bare_py = work / "bare.py"
    bare_py.write_text(BARE, encoding="utf-8")
    scamnet = [str(Path(sys.executable).with_name("scamnet")), "serve", "--data-dir", str(work)]
    got: dict[str, list[float]] = {k: [] for k in ("check", "check_p99", "bare", "bare_p99",
                                                   "alerts", "alerts_p99", "check_nocache",
                                                   "check_nocache_p99")}  # fmt: skip
    for _ in range(runs):
        with serving(scamnet, env) as port:
            import httpx

            token = httpx.post(f"http://127.0.0.1:{port}/v1/login",
                               json={"username": "bench", "password": PASSWORD}, timeout=120).json()["token"]  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            for _ in range(3):  # warm-up: the check's memory fills, as in service
                wrk(base, script, [], secs)
            rps, p99 = wrk(base, script, [], secs)
            got["check"].append(rps)
            got["check_p99"].append(p99)
            rps, p99 = wrk(f"{base}/v1/alerts?limit=50", None,
                           [f"Authorization: Bearer {token}"], secs)  # fmt: skip
            got["alerts"].append(rps)
            got["alerts_p99"].append(p99)
            # The list's latency as the analysts' load grows: one analyst (the service
            # time), four at once, then the 32 connections above (a queue).
            for c in ALERT_CONNECTIONS:
                rps, p99 = wrk(f"{base}/v1/alerts?limit=50", None,
                               [f"Authorization: Bearer {token}"], secs, threads=1,
                               connections=c)  # fmt: skip
                got.setdefault(f"alerts_c{c}", []).append(rps)
                got.setdefault(f"alerts_c{c}_p99", []).append(p99)
        # Every question asked of the store: the check with its memory turned off.
        with serving(scamnet, {**env, "SCAMNET_CHECK_CACHE_S": "0"}) as port:
            rps, p99 = wrk(f"http://127.0.0.1:{port}", script, [], secs)
            got["check_nocache"].append(rps)
            got["check_nocache_p99"].append(p99)
        port = _port()
        proc = subprocess.Popen([sys.executable, str(bare_py), str(known), "x", str(port)],
                                stdout=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert proc.stdout is not None
            proc.stdout.readline()
            time.sleep(1.0)
            rps, p99 = wrk(f"http://127.0.0.1:{port}", script, [], secs)
            got["bare"].append(rps)
            got["bare_p99"].append(p99)
        finally:
            proc.terminate()
            proc.wait(10)
    med = {k: statistics.median(v) for k, v in got.items()}
    print(f"{backend}: check {med['check']:,.0f} req/s (p99 {med['check_p99']:.1f} ms); bare "
          f"{med['bare']:,.0f} req/s (p99 {med['bare_p99']:.1f} ms); ratio "
          f"{med['check'] / med['bare']:.2f}; alerts?limit=50 {med['alerts']:,.0f} req/s "
          f"(p99 {med['alerts_p99']:.1f} ms); check without its memory "
          f"{med['check_nocache']:,.0f} req/s (p99 {med['check_nocache_p99']:.1f} ms)",
          flush=True)  # fmt: skip
    for c in ALERT_CONNECTIONS:
        print(f"  alerts?limit=50 at {c} connection(s): {med[f'alerts_c{c}']:,.0f} req/s, "
              f"p99 {med[f'alerts_c{c}_p99']:.1f} ms", flush=True)  # fmt: skip
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    for backend in args.backends.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"api-bench-{backend}-"))
        try:
            if backend == "sqlite":
                measure(backend, f"sqlite:///{work / 'scamnet.db'}", work, args.known, args.runs,
                        args.seconds)  # fmt: skip
            else:
                from tests.support.postgres import running_postgres

                with running_postgres() as pg:
                    measure(backend, pg.create_database("bench"), work, args.known, args.runs,
                            args.seconds)  # fmt: skip
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

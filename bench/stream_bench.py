"""Benchmark: records streamed in, through the HTTP push and through NATS with two workers,
against bare consumers that only parse and append; and record→alert latency.

Run (Debian's nats-server on the PATH or in /usr/sbin):

    .venv/bin/python bench/stream_bench.py --runs 3 --seconds 10

All on loopback, in one run:

- **HTTP push, sustained**: `scamnet serve` (one uvicorn worker, as shipped) takes
  batches of 2,000 call records (`POST /v1/records/calls`) from two client threads
  for ``--seconds``; records/s = records stored / elapsed. The bare consumer is a
  Starlette app under the same uvicorn that parses each NDJSON line and appends
  the body to a file.
- **NATS, sustained**: 100,000 call records are published (100 a message) while two
  `scamnet stream worker` processes take them in; records/s = records / time until
  every message is acknowledged. The bare consumer is two processes that fetch,
  parse each line, append to a file and acknowledge.
- **Latency**: batches are sent every 100 ms at 50% and 90% of the sustained HTTP
  rate, each at its time whether or not the earlier ones were answered (a 429 or
  503 is sent again after its Retry-After, and a batch whose connection was
  dropped is sent again; a batch unanswered after 120 s counts as 120 s); one call in 100 comes from a number a victim report names, so the person
  called is queued for dissuasion before the answer is sent. The latency of a
  record is from its batch's scheduled send time to the answer (scoring, the queue
  item and its commit included); p50 and p99 over every batch.
- ``--only latency``: the sustained HTTP rate, then the paced runs alone (``--rate``
  fixes the rate the shares are of; ``--no-bare`` leaves the bare consumer out). The
  answers' stored and queued records are added up: every paced record is a valid one
  (before 2026-12-01 the paced runs numbered their records from 10**8, where the
  callee has nine digits: every line was rejected, nothing was stored or queued).
- ``--only nats``: the NATS runs alone (our two workers, then the bare consumer).
- CPU seconds of the server (or workers) are read from /proc: the machine is shared,
  so records per CPU second is the steadier figure.

Each figure is the median over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-passphrase-long"
WATCHED = "+959441394426"
BATCH = 2_000
NATS_RECORDS = 100_000
BASE = datetime(2023, 10, 2, tzinfo=UTC)
# The first record of each paced run, past the sustained run's (from 10**7): each run's
# records are new ones, stored, matched and queued, never "already stored".
PACED_FIRST = {0.5: 5 * 10**7, 0.9: 7 * 10**7}

BARE_HTTP = """
import json, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

out = open(sys.argv[1], "ab")

async def push(request):
    body = await request.body()
    rows = [json.loads(line) for line in body.splitlines() if line.strip()]
    out.write(body)
    out.flush()
    return JSONResponse({"stored": len(rows), "queued": 0})

app = Starlette(routes=[Route("/v1/records/{kind}", push, methods=["POST"])])
print("serving", flush=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""

BARE_NATS = """
import asyncio, json, sys
import nats
from nats.errors import TimeoutError

async def main():
    nc = await nats.connect(sys.argv[1])
    js = nc.jetstream()
    sub = await js.pull_subscribe("scamnet.records.*", durable="scamnet-workers",
                                  stream="SCAMNET_RECORDS")
    out = open(sys.argv[2], "ab")
    idle = 0
    while idle < 3:
        try:
            msgs = await sub.fetch(200, timeout=1)
        except (TimeoutError, asyncio.TimeoutError):
            idle += 1
            continue
        idle = 0
        for m in msgs:
            rows = [json.loads(line) for line in m.data.splitlines() if line.strip()]
            out.write(m.data)
        out.flush()
        for m in msgs:
            await m.ack_sync()
    await nc.close()

asyncio.run(main())
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of a process (and its waited-for children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def calls(first: int, n: int) -> bytes:
    """``n`` distinct call records; one in 100 from the watched number to a new person.

    Valid numbers only below record 10**8 (the callee's eight digits): past it every
    line would be rejected, and nothing stored, scored or queued.
    """
    if first < 0 or first + n > 10**8:
        raise ValueError(f"records {first:,}..{first + n:,} would not be valid numbers")
    lines = []
    for i in range(first, first + n):
        caller, callee = f"+86138{i % 5000:08d}", f"+86139{i:08d}"
        if i % 100 == 0:
            caller, callee = WATCHED, f"+86137{i:08d}"
        start = (BASE + timedelta(milliseconds=i)).isoformat()
        lines.append(json.dumps({"caller": caller, "callee": callee, "start": start,
                                 "duration_s": 30 + i % 200}))  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def setup(data: Path) -> None:
    """A store with the bench user (records.push) and one report naming WATCHED."""
    from scamnet.core.access import UserRole
    from scamnet.core.reference import reference_agencies
    from scamnet.security.users import add_user
    from scamnet.settings import Settings
    from scamnet.store import Store
    from scamnet.store.agencies import AgencyRepository
    from scamnet.store.records import StoreSink

    store = Store(Settings.from_env(data).database_url)
    store.upgrade()
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        add_user(s, None, "bench", PASSWORD, frozenset({UserRole.ANALYST, UserRole.ADMIN}),
                 "CN-YN-DH")  # fmt: skip
        StoreSink(s).insert("reports", [{
            "report_id": "R1", "filed_at": BASE, "bureau": "CN-YN-DH",
            "fraud_type": "impersonate_authority", "scammer_phone": WATCHED, "loss": 50_000,
        }])  # fmt: skip
    store.dispose()


VERBOSE = False


def _drain(stream: IO[str]) -> None:
    for line in stream:
        if VERBOSE:
            sys.stderr.write(line)


@contextmanager
def serving(args: list[str], env: dict[str, str]) -> Iterator[tuple[int, int]]:
    port = _port()
    proc = subprocess.Popen([*args, str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "serving" not in line:
            raise RuntimeError(f"server did not start: {line}{proc.stdout.read()}")
        # The server's log is drained (to stderr, when --verbose): a full pipe would stop it.
        out = proc.stdout
        threading.Thread(target=_drain, args=(out,), daemon=True).start()
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:  # still draining a backlog
            proc.kill()
            proc.wait(20)


def sustained(port: int, token: str, seconds: float, clients: int = 2) -> float:
    """Records/s accepted by two clients sending batches back to back."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    stored = [0]
    deadline = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            while time.monotonic() < deadline:
                with lock:
                    first = next(counter) * BATCH + 10**7
                r = http.post("/v1/records/calls", content=calls(first, BATCH),
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                if r.status_code == 200:
                    with lock:
                        stored[0] += int(r.json()["stored"])

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stored[0] / (time.monotonic() - began)


def paced(port: int, token: str, rate: float, seconds: float, offset: int,
          tally: dict[str, int] | None = None) -> list[float]:  # fmt: skip
    """Per-batch latency (s) from scheduled send to answer, a batch every 100 ms.

    Each batch is sent at its time whatever became of the earlier ones (a provider's
    records do not wait for the answer to the previous batch), on up to 64 connections;
    a 429 is retried after its Retry-After, and the wait counts. ``tally`` adds up the
    answers' ``stored``, ``rejected`` and ``queued``: the work was done, not refused.
    """
    interval = 0.1
    size = max(1, int(rate * interval))
    out: list[float] = []
    lock = threading.Lock()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits) as http,
        ThreadPoolExecutor(max_workers=64) as pool,
    ):

        def send(k: int, due: float) -> None:
            body = calls(offset + k * size, size)
            r: httpx.Response | None = None
            while True:
                try:
                    r = http.post("/v1/records/calls", content=body,
                                  headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                except httpx.TimeoutException:
                    break  # no answer in 120 s: counted with the wait so far
                except httpx.TransportError:
                    continue  # a kept-alive connection closed by the server: send again
                if r.status_code not in (429, 503):
                    break
                time.sleep(float(r.headers.get("Retry-After", "1")))
            with lock:
                out.append(time.monotonic() - due)
                if tally is not None and r is not None and r.status_code == 200:
                    answer = r.json()
                    for key in ("stored", "rejected", "queued"):
                        tally[key] = tally.get(key, 0) + int(answer.get(key, 0))

        began = time.monotonic()
        k = 0
        futures = []
        while (due := began + k * interval) < began + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            futures.append(pool.submit(send, k, due))
            k += 1
        for f in futures:
            f.result()
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def http_run(work: Path, seconds: float, run: int, rate: float | None = None,
             bare: bool = True) -> dict[str, float]:  # fmt: skip
    """The HTTP figures of one run; with ``rate``, the paced latency alone at shares of
    that rate (no sustained phase, and the bare consumer only if ``bare``)."""
    data = work / f"http-{run}"
    setup(data)
    env = {**os.environ, "SCAMNET_DATA_DIR": str(data), "SCAMNET_PUSH_RATE": str(10**9),
           "SCAMNET_PUSH_QUEUE": "64"}  # fmt: skip
    env.pop("SCAMNET_DATABASE_URL", None)
    got: dict[str, float] = {}
    serve = [sys.executable, "-c", "from scamnet.cli.main import app; app()", "serve", "--port"]
    with serving(serve, env) as (port, pid):
        token = httpx.post(f"http://127.0.0.1:{port}/v1/login",
                           json={"username": "bench", "password": PASSWORD},
                           timeout=120).json()["token"]  # fmt: skip
        paced(port, token, 100, 1, 0)  # the first push builds the intake: not timed
        if rate is None:
            cpu0 = cpu_s(pid)
            got["http"] = sustained(port, token, seconds)
            got["http_cpu"] = cpu_s(pid) - cpu0
        else:
            got["http"] = rate
        for share in (0.5, 0.9):
            cpu0 = cpu_s(pid)
            tally: dict[str, int] = {}
            lat = paced(port, token, share * got["http"], seconds, PACED_FIRST[share], tally)
            got[f"p50@{share}"], got[f"p99@{share}"] = pct(lat, 0.5), pct(lat, 0.99)
            got[f"cpu@{share}"] = cpu_s(pid) - cpu0
            for key, n in tally.items():
                got[f"{key}@{share}"] = n
    if not bare:
        return got
    script = work / "bare_http.py"
    script.write_text(BARE_HTTP)
    with serving([sys.executable, str(script), str(work / f"bare-{run}.ndjson")], env) as (
        port,
        pid,
    ):
        if rate is None:
            cpu0 = cpu_s(pid)
            got["bare_http"] = sustained(port, "x", seconds)
            got["bare_http_cpu"] = cpu_s(pid) - cpu0
        else:
            got["bare_http"] = rate
        for share in (0.5, 0.9):
            lat = paced(port, "x", share * got["bare_http"], seconds, 0)
            got[f"bare_p50@{share}"], got[f"bare_p99@{share}"] = pct(lat, 0.5), pct(lat, 0.99)
    return got


@contextmanager
def nats_server(work: Path) -> Iterator[str]:
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    port = _port()
    store = Path(tempfile.mkdtemp(dir=work))
    proc = subprocess.Popen([binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"nats://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def _consumer_ready(url: str) -> bool:
    from nats.js.errors import NotFoundError

    from scamnet.stream.jetstream import pending

    try:
        asyncio.run(pending(url))
    except NotFoundError:
        return False
    return True


def nats_run(work: Path, run: int, bare: bool) -> tuple[float, float]:
    """(records/s, CPU seconds of the two consumers) through NATS."""
    from scamnet.stream.jetstream import ensure_stream, pending, publish

    data = work / f"nats-{run}-{bare}"
    setup(data)
    env = {**os.environ, "SCAMNET_DATA_DIR": str(data), "SCAMNET_USER": "bench"}
    body = calls(0, NATS_RECORDS).splitlines(keepends=True)
    messages = [b"".join(body[i : i + 100]) for i in range(0, len(body), 100)]
    with nats_server(work) as url:

        async def prepare() -> None:
            from scamnet.stream.jetstream import connect

            nc = await connect(url)
            await ensure_stream(nc.jetstream())
            await nc.close()

        asyncio.run(prepare())
        if bare:
            script = work / "bare_nats.py"
            script.write_text(BARE_NATS)
            args = [[sys.executable, str(script), url, str(data / f"out-{i}.ndjson")]
                    for i in range(2)]  # fmt: skip
        else:
            cmd = [sys.executable, "-c", "from scamnet.cli.main import app; app()", "stream",
                   "worker", "--nats", url, "--batch", "50", "--idle-exit", "3"]  # fmt: skip
            args = [cmd, cmd]
        workers = [subprocess.Popen(a, env=env, stdout=subprocess.DEVNULL) for a in args]
        try:
            ready_by = time.monotonic() + 300
            while not _consumer_ready(url):  # the workers start (imports, store, consumer)
                if time.monotonic() > ready_by or any(w.poll() is not None for w in workers):
                    raise RuntimeError("the consumers did not start")
                time.sleep(0.2)
            time.sleep(2)  # the second one too
            cpu0 = sum(cpu_s(w.pid) for w in workers)
            began = time.monotonic()
            asyncio.run(publish(url, "calls", messages))
            while asyncio.run(pending(url)) != (0, 0):
                time.sleep(0.05)
            elapsed = time.monotonic() - began
            cpu = sum(cpu_s(w.pid) for w in workers) - cpu0
            for w in workers:
                w.wait(120)
        finally:
            for w in workers:
                if w.poll() is None:
                    w.terminate()
                    w.wait(30)
    return NATS_RECORDS / elapsed, cpu


def _ratios(med: dict[str, float], path: str) -> str:
    """Ours against the bare consumer's: records/s (wall) and CPU per record. An HTTP
    run's CPU is over ``--seconds`` at its own rate; a NATS run's over the same
    ``NATS_RECORDS`` on both sides."""
    rate = med[f"bare_{path}"] / med[path]
    cpu = med[f"{path}_cpu"] / med[f"bare_{path}_cpu"]
    per_record = cpu * rate if path == "http" else cpu
    return f"ratio {rate:.2f} by records/s, {per_record:.2f} by CPU per record"


def nats_pair(work: Path, run: int) -> dict[str, float]:
    """One run of the two NATS workers and one of their bare consumer."""
    got: dict[str, float] = {}
    got["nats"], got["nats_cpu"] = nats_run(work, run, bare=False)
    got["bare_nats"], got["bare_nats_cpu"] = nats_run(work, run, bare=True)
    return got


def medians(work: Path, runs: int, one: Callable[[int], dict[str, float]]) -> dict[str, float]:
    """Each figure's median over ``runs`` calls of ``one`` (each printed as it ends); the
    scratch directory ``work`` is removed after them."""
    got: list[dict[str, float]] = []
    try:
        for run in range(runs):
            got.append(one(run))
            print(json.dumps({k: round(v, 4) for k, v in got[-1].items()}), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {k: statistics.median(r[k] for r in got) for k in got[0]}


def nats_line(med: dict[str, float]) -> str:
    return (f"NATS, two workers: {med['nats']:,.0f} records/s ({med['nats_cpu']:.1f} CPU s); "
            f"bare {med['bare_nats']:,.0f} records/s ({med['bare_nats_cpu']:.1f} CPU s); "
            f"{_ratios(med, 'nats')}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--verbose", action="store_true", help="the servers' logs on stderr")
    parser.add_argument(
        "--only",
        choices=("all", "latency", "nats"),
        default="all",
        help="latency: the paced HTTP runs alone, at shares of --rate; nats: the NATS "
        "workers and their bare consumer alone",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="with --only latency: the records/s the shares are of (default: "
        "the sustained rate, measured first in the same run)",
    )
    parser.add_argument(
        "--no-bare",
        action="store_true",
        help="with --only latency: without the bare consumer's paced runs",
    )
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    work = Path(tempfile.mkdtemp(prefix="stream-bench-"))
    if args.only == "latency":
        med = medians(work, args.runs,
                      lambda run: http_run(work, args.seconds, run, args.rate, not args.no_bare))  # fmt: skip
        print(f"\nmedians over {args.runs} runs, shares of {med['http']:,.0f} records/s:")
        for share in (0.5, 0.9):
            print(f"record→alert at {share:.0%}: p50 {med[f'p50@{share}'] * 1000:.0f} ms, p99 "
                  f"{med[f'p99@{share}'] * 1000:.0f} ms, server {med[f'cpu@{share}']:.1f} CPU s "
                  f"in {args.seconds:.0f} s; stored {med.get(f'stored@{share}', 0):,.0f}, "
                  f"queued {med.get(f'queued@{share}', 0):,.0f}")  # fmt: skip
        return
    if args.only == "nats":
        med = medians(work, args.runs, lambda run: nats_pair(work, run))
        print(f"\nmedians over {args.runs} runs:")
        print(nats_line(med))
        return
    med = medians(work, args.runs,
                  lambda run: {**http_run(work, args.seconds, run), **nats_pair(work, run)})  # fmt: skip
    print(f"\nmedians over {args.runs} runs:")
    print(f"HTTP push: {med['http']:,.0f} records/s ({med['http_cpu']:.1f} CPU s in "
          f"{args.seconds:.0f} s); bare {med['bare_http']:,.0f} records/s "
          f"({med['bare_http_cpu']:.1f} CPU s); {_ratios(med, 'http')}")  # fmt: skip
    print(nats_line(med))
    for share in (0.5, 0.9):
        print(f"record→alert at {share:.0%} of sustained: p50 {med[f'p50@{share}'] * 1000:.0f} "
              f"ms, p99 {med[f'p99@{share}'] * 1000:.0f} ms; bare p50 "
              f"{med[f'bare_p50@{share}'] * 1000:.0f} ms, p99 "
              f"{med[f'bare_p99@{share}'] * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

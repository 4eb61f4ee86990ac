"""Benchmark: CPU time per request of the check and the alert list, in process.

Run:

    .venv/bin/python bench/api_cpu.py --known 1000000
    PYTHONPATH=../other-checkout/src .venv/bin/python bench/api_cpu.py --store /tmp/x.db  # before/after
    .venv/bin/python bench/api_cpu.py --postgres --known 200000   # a throwaway PostgreSQL server
    .venv/bin/python bench/api_cpu.py --url postgresql://...       # a PostgreSQL store filled before

The whole ASGI app (`scamnet.api.app.create_app`) is called through httpx's in-process
transport, one request at a time, and the process's CPU time is divided by the
requests made: the client's share is included, and it is the same on both sides of
a comparison. No socket, no scheduler: on a shared machine these figures move far less
than wall-clock ones (each figure is printed with the load average). ``--store``
reuses a SQLite store filled by an earlier run (`bench/api_bench.py`'s `fill`), copied
first, so two checkouts can be compared on the same data. ``--url`` measures a
PostgreSQL store filled before (by ``fill``; only audit entries are added to it), and
``--postgres`` starts a throwaway server and fills it: on PostgreSQL the figure is the
API process's CPU only, not the database server's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from api_bench import PASSWORD, fill, number  # noqa: E402


async def measure(work: Path, n: int, url: str | None = None) -> None:
    import httpx

    from scamnet.api.app import create_app
    from scamnet.settings import Settings
    from scamnet.store import Store

    url = url or f"sqlite:///{work / 'scamnet.db'}"
    store = Store(url)
    settings = Settings(data_dir=work, database_url=url, check_cache_s=30)
    app = create_app(store, work, settings=settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        login = await client.post("/v1/login", json={"username": "bench", "password": PASSWORD})
        auth = {"Authorization": f"Bearer {login.json()['token']}"}

        async def cpu(paths: list[str], headers: dict[str, str] | None = None) -> float:
            for path in paths[:20]:  # imports and first-use caches are not the steady state
                await client.get(path, headers=headers)
            start = time.process_time()
            for path in paths[20:]:
                answer = await client.get(path, headers=headers)
                answer.raise_for_status()
            return (time.process_time() - start) / (len(paths) - 20) * 1000

        # A permutation of 2,000,000 numbers (half known with --known 1000000): never repeated.
        cold = [f"/v1/check/phone/{number((i * 1000003) % 2_000_000)}" for i in range(4 * n)]
        remembered = [f"/v1/check/phone/{number(i % 50)}" for i in range(4 * n)]
        lists = ["/v1/alerts?limit=50"] * n
        for name, paths, headers in (("check, cold", cold, None),
                                     ("check, remembered", remembered, None),
                                     ("alerts?limit=50", lists, auth)):  # fmt: skip
            ms = await cpu(paths, headers)
            print(f"{name}: {ms:.3f} ms of CPU per request (load {os.getloadavg()[0]:.1f})",
                  flush=True)  # fmt: skip
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, help="a filled SQLite store to copy and reuse")
    parser.add_argument("--url", help="a filled PostgreSQL store to reuse")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL")
    parser.add_argument("--requests", type=int, default=300, help="alert lists (4x as many checks)")
    args = parser.parse_args()
    os.environ.setdefault("SCAMNET_LOGIN_ATTEMPTS", "1000")
    work = Path(tempfile.mkdtemp(prefix="api-cpu-"))
    try:
        if args.postgres:
            sys.path.insert(0, str(HERE.parent))  # tests.support.postgres starts the server
            from tests.support.postgres import running_postgres

            with running_postgres() as pg:
                url = pg.create_database("bench")
                fill(url, args.known)
                asyncio.run(measure(work, args.requests, url))
            return
        if args.url is not None:
            asyncio.run(measure(work, args.requests, args.url))
            return
        if args.store is not None:
            shutil.copyfile(args.store, work / "scamnet.db")
        else:
            fill(f"sqlite:///{work / 'scamnet.db'}", args.known)
        asyncio.run(measure(work, args.requests))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

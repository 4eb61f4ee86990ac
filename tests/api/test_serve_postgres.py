"""Several `scamnet serve` processes on one PostgreSQL: the API keeps no state of its own.

Two real server processes, each with a data directory of its own, share one
throwaway PostgreSQL database. Whatever one process learns (a login, a logout, a
rate-limit count, wrong passwords, the audit chain's head) the other must see, or a
load balancer in front of them would let a revoked token in, multiply every limit
by the number of processes, or fork the audit chain.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from scamnet.api.serve import READY
from scamnet.citizens.service import REPORTS_PER_CLIENT
from scamnet.core.access import UserRole
from scamnet.security.auth import LOCK_AFTER
from scamnet.store import Store
from scamnet.store.audit import AuditLog
from tests.exchange.servers import free_port
from tests.support.postgres import PostgresServer
from tests.support.users import PASSWORD, register

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # server processes start, import, bind

_names = itertools.count()
# How long a request may take before the test gives up on a hung server: a guard for a
# busy machine (argon2 logins on two loaded cores), never a timed assertion.
WAIT = 600.0
SCAMNET = [sys.executable, "-m", "scamnet.cli.main"]


def _env(url: str, data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "SCAMNET_DATABASE_URL": url, "SCAMNET_DATA_DIR": str(data_dir)}
    env["SCAMNET_LOGIN_ATTEMPTS"] = "1000"  # many logins from loopback; the report limit is shown
    env["COLUMNS"] = "200"
    return env


@contextmanager
def serving(url: str, data_dir: Path) -> Iterator[str]:
    """One `scamnet serve` process on ``url``'s database; yields its base URL.

    It waits on the server's ready line (printed once its socket is bound), not on a
    clock; a server that dies before it ends the read and fails with its output.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        [*SCAMNET, "serve", "--port", str(port)], env=_env(url, data_dir),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if READY in line:
                break
        else:
            raise AssertionError("the server stopped before serving:\n" + "".join(seen[-20:]))
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def upgrade(url: str, data_dir: Path) -> subprocess.Popen[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [*SCAMNET, "db", "upgrade"], env=_env(url, data_dir),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )  # fmt: skip


@dataclass(frozen=True)
class Pair:
    url: str
    a: str  # the base URL of one server process
    b: str  # and of the other


@pytest.fixture(scope="module")
def pair(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    """A new database, migrated by two `scamnet db upgrade` processes started together
    (as two hosts' start scripts would), then served by two `scamnet serve` processes.

    One pair for the module: each test acts as users of its own, so none depends on
    what another did first.
    """
    root = tmp_path_factory.mktemp("serve-pg")
    url = postgres_server.create_database(f"serve{next(_names)}")
    procs = [upgrade(url, root / f"up{i}") for i in range(2)]
    outputs = [p.communicate()[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    # One of them loaded the reference agencies; the other found them loaded.
    added = sorted(int(re.search(r"(\d+) reference agencies added", o).group(1))  # type: ignore[union-attr]
                   for o in outputs)  # fmt: skip
    assert added[0] == 0 < added[1], outputs
    store = Store(url)
    assert store.current_revision() == store.head_revision()
    for user in ("tester", "busy.analyst"):
        register(store, user)
    register(store, "guessed.at", roles=frozenset({UserRole.VIEWER}))
    store.dispose()
    with serving(url, root / "a") as a, serving(url, root / "b") as b:
        yield Pair(url, a, b)


def _login(base: str, user: str = "tester", password: str = PASSWORD) -> httpx.Response:
    return httpx.post(f"{base}/v1/login", json={"username": user, "password": password},
                      timeout=WAIT)  # fmt: skip


def test_a_token_and_its_logout_hold_on_every_process(pair: Pair) -> None:
    a, b = pair.a, pair.b
    r = _login(a)
    assert r.status_code == 200, r.text
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}
    me = httpx.get(f"{b}/v1/me", headers=bearer, timeout=WAIT)
    assert me.status_code == 200 and me.json()["user"] == "tester"
    # An API token issued through B is accepted by A.
    issued = httpx.post(f"{b}/v1/tokens", json={"username": "tester", "days": 1},
                        headers=bearer, timeout=WAIT)  # fmt: skip
    assert issued.status_code == 201, issued.text
    api = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert httpx.get(f"{a}/v1/me", headers=api, timeout=WAIT).status_code == 200
    # Logging out through B ends the session on A at once.
    assert httpx.post(f"{b}/v1/logout", headers=bearer, timeout=WAIT).json() == {"revoked": True}
    assert httpx.get(f"{a}/v1/me", headers=bearer, timeout=WAIT).status_code == 401


def test_a_served_cold_check_is_awaited_on_the_readers_own_connections(pair: Pair) -> None:
    for i, base in enumerate((pair.a, pair.b)):
        r = httpx.get(f"{base}/v1/check/phone/+86139777000{i:02d}", timeout=WAIT)
        assert r.status_code == 200 and r.json()["risk"] == "unknown"
    store = Store(pair.url)
    try:
        with store.session() as s:
            names = s.execute(text(
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name LIKE 'scamnet-%-check' AND query LIKE 'SELECT 0, fraud_type%'"
            )).scalars().all()  # fmt: skip
    finally:
        store.dispose()
    assert len(set(names)) == 2  # one process each: the event loop's connections read them


def test_limits_are_counted_across_processes(pair: Pair) -> None:
    report = {"fraud_type": "investment", "scammer_phone": "+8613912345678"}
    servers = itertools.cycle([pair.a, pair.b])
    # The citizens' reports: REPORTS_PER_CLIENT per client and hour, over both.
    for _ in range(REPORTS_PER_CLIENT):
        r = httpx.post(f"{next(servers)}/v1/reports", json=report, timeout=WAIT)
        assert r.status_code == 201, r.text
    # Per-process counters would allow each process REPORTS_PER_CLIENT of its own.
    for base in (pair.a, pair.b):
        r = httpx.post(f"{base}/v1/reports", json=report, timeout=WAIT)
        assert r.status_code == 429, r.text
        assert "Retry-After" in r.headers
    # Wrong passwords, alternated between the processes, lock the account on both.
    for _ in range(LOCK_AFTER):
        assert _login(next(servers), "guessed.at", "not the password!").status_code == 401
    for base in (pair.a, pair.b):
        r = _login(base, "guessed.at")
        assert r.status_code == 401 and "locked" in r.json()["detail"]


def test_concurrent_audited_requests_on_both_keep_one_audit_chain(pair: Pair) -> None:
    bases = [pair.a, pair.b] * 12
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda base: _login(base, "busy.analyst"), bases))
    assert [r.status_code for r in answers] == [200] * len(bases)
    store = Store(pair.url)
    with store.session() as session:
        log = AuditLog(session)
        report = log.check()
        logins = [e for e in log.entries(subject="user:busy.analyst") if e.action == "login"]
    store.dispose()
    assert report.ok, report.reason  # no two appends chained onto the same entry
    assert len(logins) == len(bases)


def test_serve_refuses_a_store_behind_its_schema(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.create_database(f"serve{next(_names)}")
    (tmp_path / "d").mkdir()
    done = subprocess.run(
        [*SCAMNET, "serve", "--port", str(free_port())], env=_env(url, tmp_path / "d"),
        capture_output=True, text=True, encoding="utf-8", check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "scamnet db upgrade" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr + done.stdout

"""Stream fixtures.

- ``nats_url``: a throwaway NATS JetStream server (Debian's ``nats-server -js``) on a
  free loopback port with its store in a temporary directory, stopped after the
  test. Without the binary the test skips, except under CI, where it fails.
- ``fresh``: an empty data directory with a migrated store, the reference agencies,
  and the registered users ``tester`` (every role, CN-YN-DH), ``viewer`` and
  ``lc.officer`` (an analyst of another bureau).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from scamnet.core.access import UserRole
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from tests.conftest import skip_or_fail
from tests.support.users import register

NATS_BINARIES = ("nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    binary = next((b for b in NATS_BINARIES if shutil.which(b)), None)
    if binary is None:
        skip_or_fail("nats-server is not installed (apt-get install nats-server)")
        return
    port = _free_port()
    store_dir = tmp_path / "jetstream"
    log = tmp_path / "nats-server.log"
    proc = subprocess.Popen(
        [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store_dir), "-l", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):  # up to 10 s for the server to listen
            if proc.poll() is not None:
                raise RuntimeError(f"nats-server exited: {log.read_text()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"nats://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def _pristine_fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stream-fresh") / "data"
    register(root)
    register(root, "viewer", roles=frozenset({UserRole.VIEWER}))
    register(root, "lc.officer", agency="CN-YN-LC", roles=frozenset({UserRole.ANALYST}))
    return root


@pytest.fixture
def fresh(_pristine_fresh: Path, tmp_path: Path) -> Path:
    """A private copy of a data directory registered once per session (a migration and
    three password hashes each time cost seconds)."""
    root = tmp_path / "data"
    shutil.copytree(_pristine_fresh, root)
    return root


def lake_rows(settings: Settings) -> tuple[int, int]:
    """(rows, distinct natural keys) of the calls in the lake, committed files only."""
    files = RecordLake(settings.lake_dir).files(RecordKind.CALLS)
    if not files:
        return 0, 0
    paths = ", ".join(f"'{f}'" for f in files)
    (row,) = duckdb.execute(
        f"SELECT count(*), count(DISTINCT (caller, callee, start)) FROM read_parquet([{paths}])"
    ).fetchall()
    return int(row[0]), int(row[1])

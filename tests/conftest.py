"""Fixtures shared by the whole suite.

- ``postgres_server``: one real, throwaway PostgreSQL server for the session,
  started from the installed binaries (see ``tests/support/postgres.py``). With
  no binaries the PostgreSQL tests skip with the reason, except when ``CI=true``,
  where a skip would hide a broken setup and so fails instead.
- ``store``: a migrated, empty store, parametrised over ``sqlite`` and
  ``postgres``; a test that takes it runs on both backends. Each is a copy of a store
  migrated once per session (``sqlite_template``, ``postgres_template``).
- ``shared_data``: the path of ``../shared/data``, skipping (never under CI) when absent.
- ``demo_world``: a private copy of one tiny demo run (``scamnet demo --serve --preset
  tiny`` in a child process, stopped once it serves), made once per session; each test
  that takes it may change its copy freely.
  ``demo_output`` is what that run printed. A demo run is the suite's costliest setup,
  so tests that need a demo's data directory copy this one rather than run their own.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scamnet.store import Store
from tests.support.postgres import PostgresServer, PostgresUnavailable, running_postgres
from tests.support.users import register

IN_CI = os.environ.get("CI", "").lower() == "true"
# The CLI acts only for registered users: every command in the suite acts as this one
# (tests register it in their data directories with tests.support.users.register).
os.environ["SCAMNET_USER"] = "tester"
os.environ.pop("SCAMNET_AGENCY", None)
# Models the suite saves keep their trees uncompiled: compiling 400 trees to machine code
# takes seconds to a minute each, and tests/detect/test_llvm_trees.py covers it once.
os.environ["SCAMNET_COMPILE_TREES"] = "0"
ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SCAMNET_SHARED_DATA", ROOT.parent / "shared" / "data"))


def skip_or_fail(reason: str) -> None:
    """Skip with ``reason``; under CI a missing dependency is a failure instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: skipping is not allowed)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        skip_or_fail(str(exc))


_db_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated once; each test gets a fast copy of it."""
    url = postgres_server.create_database("scamnet_template")
    store = Store(url)
    store.upgrade()
    store.dispose()
    return "scamnet_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store file migrated once; each test gets a copy (a migration run costs
    over a second of commits, a copy milliseconds)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "scamnet.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    # Closing the last connection folds the WAL into the file: the file is the store.
    assert not path.with_name("scamnet.db-wal").exists()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "scamnet.db")
        s = Store(f"sqlite:///{tmp_path / 'scamnet.db'}")
        assert s.current_revision() == s.head_revision()
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("postgres_template")
        s = Store(server.create_database(f"t{next(_db_counter)}", template=template))
    yield s
    s.dispose()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


DEMO_STALE = "left-by-an-earlier-demo.txt"


@pytest.fixture(scope="session")
def _pristine_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``scamnet demo --serve`` run, as a user starts it: a child process over a
    directory an earlier demo left (which it must empty first), serving the API once the
    world is built. What it printed and what its API's health route answered are kept
    beside the directory for the tests (``demo_output``, tests/cli/test_cli.py); then
    the server is stopped and the directory is the session's demo world.

    It waits on the server's ready line, not on a clock: the demo takes as long as the
    machine needs.
    """
    import socket
    import subprocess
    import sys
    import urllib.request

    from scamnet.api.serve import READY
    from scamnet.cli.demo import MARKER

    root = tmp_path_factory.mktemp("demo-world") / "demo"
    root.mkdir()
    (root / MARKER).write_text("an earlier demo run\n")
    (root / DEMO_STALE).write_text("the next demo run removes this\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["demo", "--serve", "--port", str(port), "--preset", "tiny", "--data-dir", str(root)]
    env = {**os.environ, "COLUMNS": "250", "PYTHONIOENCODING": "utf-8"}
    env.pop("SCAMNET_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scamnet.cli.main", *args], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        seen: list[str] = []
        for line in proc.stdout:  # ends only when the server is up or the process is gone
            if READY in line:
                break
            seen.append(line)
        else:
            pytest.fail("the demo stopped before serving:\n" + "".join(seen[-40:]))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=30) as r:
                health = r.read().decode()
        except OSError as exc:  # kept for test_demo_serves_the_api to report
            health = f"no answer: {exc!r}"
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        if proc.stdout is not None:
            proc.stdout.close()
    (root.parent / "demo-output.txt").write_text("".join(seen), encoding="utf-8")
    (root.parent / "demo-health.txt").write_text(health, encoding="utf-8")
    register(root)
    return root


@pytest.fixture(scope="session")
def demo_output(_pristine_demo: Path) -> str:
    """What the session's demo run printed (250 columns wide)."""
    return (_pristine_demo.parent / "demo-output.txt").read_text(encoding="utf-8")


@pytest.fixture
def demo_world(_pristine_demo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(_pristine_demo, copy)
    return copy

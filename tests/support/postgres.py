"""A real, throwaway PostgreSQL server started from the installed binaries.

initdb runs in a temporary directory, the server listens on a free loopback
port, and everything is removed at the end. PostgreSQL refuses to run as root,
so as root the server runs as the ``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    candidates = [os.environ.get("SCAMNET_PG_BINDIR", "")]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for cand in candidates:
        if cand and (Path(cand) / "initdb").exists() and (Path(cand) / "pg_ctl").exists():
            return Path(cand)
    raise PostgresUnavailable("no PostgreSQL server binaries (initdb, pg_ctl) found")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """Start with :meth:`start`; ``url(db)`` gives a SQLAlchemy URL."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.tmp = Path(tempfile.mkdtemp(prefix="scamnet-pg-"))
        self.port = _free_port()
        self.run_as: str | None = "postgres" if os.geteuid() == 0 else None

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def start(self) -> None:
        data = self.tmp / "data"
        if self.run_as:
            user = pwd.getpwnam(self.run_as)
            os.chown(self.tmp, user.pw_uid, user.pw_gid)
        subprocess.run(
            self._cmd(str(self.bindir / "initdb"), "-D", str(data), "-U", "scamnet",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
            check=True, capture_output=True,
        )  # fmt: skip
        opts = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            self._cmd(str(self.bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                      "-l", str(self.tmp / "log"), "-w", "-t", "60", "start"),
            check=True, capture_output=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start listening")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://scamnet@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        import psycopg

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            tmpl = f" TEMPLATE {template}" if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{tmpl}')  # names are ours, not input
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.tmp / "data"), "-m", "immediate",
                      "-w", "stop"),
            check=False, capture_output=True,
        )  # fmt: skip
        # The cluster holds a copy of the template per test (hundreds by the session's
        # end); unlinking their files took the suite's last teardown over a minute.
        # Nothing reads them once the server is stopped, so the shell removes them in
        # the background while the session ends.
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" &', "sh", str(self.tmp)], check=False)


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()

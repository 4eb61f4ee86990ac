"""Real instances for the HTTP tests: each its own data directory, store and server process,
which a test may kill (SIGKILL) and start again on the same port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamnet.api.serve import READY
from scamnet.cli.main import app
from tests.support.users import register

runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(data_dir: Path, *args: str, ok: bool = True) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], env={"COLUMNS": "200"})
    if ok:
        assert result.exit_code == 0, result.output
    return result.output


def get(url: str, timeout: float = 10) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return dict(json.loads(r.read()))


class Instance:
    def __init__(self, root: Path, agency: str, body_timeout: float = 30.0) -> None:
        self.dir, self.agency, self.body_timeout = root, agency, body_timeout
        cli(root, "db", "upgrade")
        cli(root, "exchange", "init", "--agency", agency)
        register(root, agency=agency)  # the suite's own user, for its agency
        register(root, "li.wei" if agency == "CN-YN-DH" else "muse.officer", agency)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        env = {**os.environ, "SCAMNET_DATA_DIR": str(self.dir)}
        env.pop("SCAMNET_DATABASE_URL", None)
        code = (
            "from scamnet.api.serve import serve_api; from scamnet.settings import Settings; "
            f"serve_api(Settings.from_env(), port={self.port}, body_timeout={self.body_timeout})"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        # The server prints its ready line once its socket is bound (connections queue
        # from then on); a server that dies ends the read. No clock is involved.
        assert self.proc.stdout is not None
        seen: list[bytes] = []
        for line in self.proc.stdout:
            if READY.encode() in line:
                break
            seen.append(line)
        else:
            pytest.fail(f"{self.agency} server did not start: {b''.join(seen).decode()}")
        # The socket is bound before the app is built: the first answer waits for that
        # (a guard against a hung start, not a timed assertion).
        assert get(self.url + "/api/health", timeout=120)["status"] == "ok"

    def ensure_running(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self._close()
            self.start()

    def identity(self) -> str:
        return get(self.url + "/api/exchange/identity")["public_key"]

    def ledger(self) -> str:
        return get(self.url + "/api/exchange/ledger")["digest"]

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as when a machine loses power."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self._close()

    def _close(self) -> None:
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()

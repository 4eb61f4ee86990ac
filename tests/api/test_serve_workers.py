"""`scamnet serve --workers N`: N processes accept on the one socket, stop together, and a
worker that dies takes the server down rather than leave it serving with fewer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from scamnet.api.serve import READY
from scamnet.store import Store
from tests.exchange.servers import free_port

pytestmark = pytest.mark.slow  # three server processes start and import
WAIT = 600.0  # a guard against a hung server on a loaded machine, never a timed assertion


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@contextmanager
def _served(tmp_path: Path, workers: int) -> Iterator[tuple[subprocess.Popen[str], str]]:
    store = Store(f"sqlite:///{tmp_path / 'scamnet.db'}")
    store.upgrade()
    store.dispose()
    port = free_port()
    env = {**os.environ, "SCAMNET_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scamnet.cli.main", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert READY in line, line + proc.stdout.read()
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_two_workers_answer_on_one_port_and_stop_together(tmp_path: Path) -> None:
    with _served(tmp_path, 2) as (proc, base):
        with httpx.Client(base_url=base, timeout=WAIT) as client:
            for _ in range(6):  # whichever worker accepts, the same answer
                answer = client.get("/v1/check/phone/+8613912345678")
                assert answer.status_code == 200 and answer.json()["risk"] == "unknown"
            report = {"fraud_type": "investment", "scammer_phone": "+8613912345678"}
            filed = client.post("/v1/reports", json=report)
            assert filed.status_code == 201, filed.text
        workers = _children(proc.pid)  # forked once the socket was bound: here by now
        assert len(workers) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(WAIT) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers if _alive(pid))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_a_worker_that_dies_stops_the_server(tmp_path: Path) -> None:
    with _served(tmp_path, 2) as (proc, base):
        httpx.get(f"{base}/v1/check/phone/+8613912345678", timeout=WAIT).raise_for_status()
        first, second = sorted(_children(proc.pid))
        os.kill(first, signal.SIGKILL)
        assert proc.wait(WAIT) == 1
        assert not _alive(second)


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie waiting for its parent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"

"""Two real instances (the Dehong bureau and the Muse partner), each its own server
and store, carry a transfer request and a handover manifest over HTTP and end with
the same ledger; a tampered bundle is refused and changes nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(data_dir: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def get(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return dict(json.loads(r.read()))


class Instance:
    def __init__(self, root: Path, agency: str) -> None:
        self.dir, self.agency = root, agency
        cli(root, "db", "upgrade")
        cli(root, "exchange", "init", "--agency", agency)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SCAMNET_DATA_DIR": str(root)}
        env.pop("SCAMNET_DATABASE_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scamnet.cli.main", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                get(self.url + "/api/health")
                break
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    out = self.proc.stdout.read().decode() if self.proc.stdout else ""
                    pytest.fail(f"{agency} server did not start: {out}")
                time.sleep(0.2)

    def identity(self) -> str:
        return get(self.url + "/api/exchange/identity")["public_key"]

    def ledger(self) -> str:
        return get(self.url + "/api/exchange/ledger")["digest"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[tuple[Instance, Instance]]:
    (tmp_path / "dehong").mkdir()
    (tmp_path / "muse").mkdir()
    dehong = Instance(tmp_path / "dehong", "CN-YN-DH")
    muse = Instance(tmp_path / "muse", "MM-MUSE")
    try:
        cli(dehong.dir, "exchange", "register", "MM-MUSE", muse.identity())
        cli(muse.dir, "exchange", "register", "CN-YN-DH", dehong.identity())
        yield dehong, muse
    finally:
        dehong.stop()
        muse.stop()


def test_request_and_handover_between_two_instances(
    instances: tuple[Instance, Instance], tmp_path: Path
) -> None:
    dehong, muse = instances
    persons = tmp_path / "persons.csv"
    persons.write_text(
        "record_id,source_agency,name,birth_date,id_number\n"
        "P1,CN-YN-DH,明学昌,1955-01-01,530000195501010011\n"
        "P2,CN-YN-DH,白所成,1960-03-04,\n",
        encoding="utf-8",
    )
    cli(dehong.dir, "ingest", "persons", str(persons))
    out = cli(
        dehong.dir,
        "transfer",
        "request",
        "MM-MUSE",
        "--person",
        "1",
        "--person",
        "2",
        "--basis",
        "bilateral agreement on fraud suspects",
        "--user",
        "li.wei",
    )
    reference = out.split()[2]
    assert "applied it: request" in cli(
        dehong.dir, "exchange", "send-request", reference, "--url", muse.url
    )
    cli(muse.dir, "exchange", "send-status", reference, "acknowledged", "--url", dehong.url)
    manifest = tmp_path / "muse-batch.csv"
    manifest.write_text(
        "batch_id,date,crossing,from_agency,to_agency,seq,name,birth_date,document,nationality\n"
        "H-MUSE-20231118,2023-11-18,Muse–Ruili,MM-MUSE,CN-YN-DH,1,XUECHANG MING,1955-01-01,E1,CN\n"
        "H-MUSE-20231118,2023-11-18,Muse–Ruili,MM-MUSE,CN-YN-DH,2,Pai Suo-ch'eng,1960-04-03,,CN\n"
        "H-MUSE-20231118,2023-11-18,Muse–Ruili,MM-MUSE,CN-YN-DH,3,Zhou Xingyu,1999-09-09,,CN\n",
        encoding="utf-8",
    )
    out = cli(
        muse.dir,
        "exchange",
        "send-manifest",
        str(manifest),
        "--request",
        reference,
        "--url",
        dehong.url,
        "--out",
        str(tmp_path),
    )
    assert "3 persons, 2 known, 1 new" in out
    assert dehong.ledger() == muse.ledger()
    for side in (dehong, muse):
        assert "executed" in cli(side.dir, "transfer", "list")
    shown = cli(dehong.dir, "handover", "show", "H-MUSE-20231118")
    assert "day and month swapped" in shown

    # The manifest as written to disk, altered in transit, is refused over HTTP and as a file.
    bundle_file = next(tmp_path.glob("handover_manifest-*.scamnet-bundle.json"))
    bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    bundle["id"] = "0" * 32  # a fresh id, so only the signature can catch it
    bundle["payload"]["lines"][2]["name"] = "Somebody Else"
    before = dehong.ledger()
    request = urllib.request.Request(
        dehong.url + "/api/exchange/bundles",
        method="POST",
        data=json.dumps(bundle).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert "bad signature" in json.loads(refused.value.read())["detail"]
    refused.value.close()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(bundle), encoding="utf-8")
    result = runner.invoke(app, ["exchange", "receive", str(forged), "--data-dir", str(dehong.dir)])
    assert result.exit_code == 1 and "bad signature" in result.output
    assert dehong.ledger() == before == muse.ledger()

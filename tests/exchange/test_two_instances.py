"""Two real instances (the Dehong bureau and the Muse partner), each its own server
and store, carry a transfer request and a handover manifest over HTTP and end with
the same ledger; a tampered bundle is refused and changes nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scamnet.cli.main import app
from tests.exchange.servers import Instance, cli, runner

# Each test here runs a demo world, a whole dataset or two servers: over 10 s.
pytestmark = pytest.mark.slow


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
    assert "MM-MUSE applied it: request" in cli(
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

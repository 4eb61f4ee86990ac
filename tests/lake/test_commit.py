"""The commit protocol: readers see committed files only, leftovers are found and cleaned.

Issue 15, "What breaks today" case 1, without killing anything: the debris a
killed ingest leaves (a truncated data file, a truncated sidecar, an unpublished
commit record, a scratch directory of a dead process) is planted by hand. Every
reader ignores it, ``lake check`` reports it, and the next writer (or
``lake check --repair``) removes it. The SIGKILL test is tests/lake/test_crash.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.engine.duckdb import DuckDBEngine
from scamnet.lake import RecordKind, RecordLake
from scamnet.lake.check import check
from scamnet.settings import Settings
from tests.lake.conftest import fresh_data_dir
from tests.lake.support import ingest_all, lake_state

runner = CliRunner()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _plant_debris(data_dir: Path, kind: str) -> list[Path]:
    settings = Settings.from_env(data_dir)
    lake = RecordLake(settings.lake_dir)
    good = lake.files(RecordKind(kind))[0]
    torn = good.parent / "part-deadbeef-0.parquet"
    torn.write_bytes(good.read_bytes()[:100])  # "No magic bytes found"
    sidecars = sorted((settings.lake_dir / "_keys").glob(f"*/{kind}/day=*/*.parquet"))
    torn_key = sidecars[0].parent / "part-deadbeef-0.parquet"
    torn_key.write_bytes(b"PAR1")
    unpublished = settings.lake_dir / "_log" / kind / ".tmp-deadbeef"
    unpublished.write_text('{"version": 9, "files": ["day=2023-10-01/part-deadbeef-0.parquet"]')
    scratch = settings.tmp_dir / f"ingest-{_dead_pid()}-abc"
    scratch.mkdir(parents=True)
    (scratch / "spill.tmp").write_bytes(b"x")
    return [torn, torn_key, unpublished, scratch]


def test_debris_is_invisible_reported_and_cleaned_by_the_next_ingest(
    sources: dict[str, list[Path]], template_db: Path, tmp_path: Path
) -> None:
    data_dir = fresh_data_dir(tmp_path / "data", template_db)
    ingest_all(data_dir, "calls", sources["calls"][:1])
    rows = lake_state(data_dir, "calls")[0]
    debris = _plant_debris(data_dir, "calls")
    assert lake_state(data_dir, "calls") == (rows, rows)  # readers never see it

    report = runner.invoke(app, ["lake", "check", "--data-dir", str(data_dir)])
    assert report.exit_code == 1
    assert "part-deadbeef-0.parquet" in report.output
    assert "calls: leftovers of an interrupted ingest; run `scamnet lake check --repair`" in (
        report.output
    )

    ingest_all(data_dir, "calls", sources["calls"])  # the next writer cleans up first
    assert not any(p.exists() for p in debris)
    assert check(RecordLake(Settings.from_env(data_dir).lake_dir), RecordKind.CALLS).clean
    # Features read the same committed files.
    features = runner.invoke(app, ["features", "subscribers", "--from", "2023-10-01",
                                   "--to", "2023-10-03", "--data-dir", str(data_dir)])  # fmt: skip
    assert features.exit_code == 0, features.output


def test_lake_check_repair_cleans_without_an_ingest(
    sources: dict[str, list[Path]], template_db: Path, tmp_path: Path
) -> None:
    data_dir = fresh_data_dir(tmp_path / "data", template_db)
    ingest_all(data_dir, "messages", sources["messages"][:1])
    debris = _plant_debris(data_dir, "messages")
    repaired = runner.invoke(app, ["lake", "check", "--repair", "--data-dir", str(data_dir)])
    assert repaired.exit_code == 0, repaired.output
    assert not any(p.exists() for p in debris)
    again = runner.invoke(app, ["lake", "check", "--data-dir", str(data_dir)])
    assert again.exit_code == 0 and "--repair" not in again.output
    as_json = runner.invoke(app, ["lake", "check", "--json", "--data-dir", str(data_dir)])
    kinds = {k["kind"]: k for k in json.loads(as_json.output)["kinds"]}
    assert kinds["messages"]["leftovers"] == [] and kinds["messages"]["rows"] > 0


def test_a_lake_from_before_commit_records_is_adopted(
    sources: dict[str, list[Path]], template_db: Path, tmp_path: Path
) -> None:
    data_dir = fresh_data_dir(tmp_path / "data", template_db)
    ingest_all(data_dir, "transfers", sources["transfers"][:1])
    lake_dir = Settings.from_env(data_dir).lake_dir
    rows = lake_state(data_dir, "transfers")[0]
    # An older version wrote no commit log; one of its files was torn by a crash.
    for f in (lake_dir / "_log" / "transfers").iterdir():
        f.unlink()
    (lake_dir / "_log" / "transfers").rmdir()
    good = sorted((lake_dir / "transfers").glob("day=*/part-*.parquet"))[0]
    (good.parent / "part-old-torn.parquet").write_bytes(b"PAR1 torn")
    lake = RecordLake(lake_dir)
    on_disk = list(lake.kind_dir(RecordKind.TRANSFERS).glob("day=*/part-*.parquet"))
    assert check(lake, RecordKind.TRANSFERS).legacy == len(on_disk)
    assert lake.files(RecordKind.TRANSFERS) == []  # nothing is committed until adopted
    report = check(lake, RecordKind.TRANSFERS, repair=True)
    assert report.repaired and report.clean and report.rows == rows
    assert not (good.parent / "part-old-torn.parquet").exists()
    assert lake_state(data_dir, "transfers") == (rows, rows)


def test_write_commits_and_a_reader_snapshot_is_stable(tmp_path: Path) -> None:
    import pyarrow as pa

    from scamnet.lake import SCHEMAS

    lake = RecordLake(tmp_path / "lake")
    first = pa.Table.from_pylist(
        [{"sender": "+8613800138000", "recipient": "+8613900139000",
          "sent_at": "2023-10-01T10:00:00+00:00", "text": "hi", "channel": "sms"}],
        schema=SCHEMAS[RecordKind.MESSAGES].remove(2).insert(2, pa.field("sent_at", pa.string())),
    )  # fmt: skip
    batch = first.set_column(2, "sent_at", first["sent_at"].cast(pa.timestamp("us", tz="UTC")))
    lake.write(RecordKind.MESSAGES, batch)
    snap = lake.snapshot(RecordKind.MESSAGES)
    assert snap.version == 1 and snap.days() == ["2023-10-01"]
    log = json.loads((tmp_path / "lake" / "_log" / "messages" / f"{1:020d}.json").read_text())
    assert log["files"] == [f.relative_to(tmp_path / "lake" / "messages").as_posix()
                            for f in snap.files]  # fmt: skip
    with DuckDBEngine() as engine:
        engine.attach_lake(lake)
        assert engine.count(engine.table("messages")) == 1
    assert pq.read_table(snap.files[0]).num_rows == 1

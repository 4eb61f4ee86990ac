"""`scamnet ingest rejects`: the refused rows with their reasons and counts, filtered by
kind and file, as JSON and as a CSV that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.models import AuditRow
from tests.support.users import register

runner = CliRunner()
HEADER = "caller,callee,start,duration_s"
# A line no CSV reader can split (its quote never closes) is kept as written: here,
# a formula a spreadsheet would run.
PLANTED = '=1+2,"+8613900100003,2023-10-01 10:00:00Z,5'


def _cli(data: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return result.output


def _ingested(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    register(data)
    good = [f"+8613800138000,+86139001{i:05d},2023-10-01 10:{i:02d}:00Z,5" for i in range(6)]
    bad = ["+8613800138000,+8613900100001,not a time,5",
           "+8613800138000,+8613900100002,2023-10-01 10:00:00Z,-4",
           PLANTED]  # fmt: skip
    (tmp_path / "a.csv").write_text(HEADER + "\n" + "\n".join(good + bad[:2]) + "\n")
    (tmp_path / "b.csv").write_text(HEADER + "\n" + "\n".join(good[:1] + bad[2:]) + "\n")
    (tmp_path / "p.csv").write_text("record_id,source_agency,name\nr1,SZPB,\nr2,SZPB,Li Na\n")
    _cli(data, "ingest", "calls", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"))
    _cli(data, "ingest", "persons", str(tmp_path / "p.csv"))
    return data


def test_rejects_are_listed_with_reasons_counts_and_filters(tmp_path: Path) -> None:
    data = _ingested(tmp_path)
    everything = json.loads(_cli(data, "ingest", "rejects", "--json"))
    assert everything["total"] == 4
    assert {r["kind"] for r in everything["rows"]} == {"calls", "persons"}
    assert sum(r["rows"] for r in everything["by_reason"]) == 4
    calls = json.loads(_cli(data, "ingest", "rejects", "--kind", "calls", "--json"))
    assert calls["total"] == 3 and all(r["reason"] for r in calls["rows"])
    assert [(Path(r["file"]).name, r["line"]) for r in calls["rows"]] == [
        ("a.csv", 8), ("a.csv", 9), ("b.csv", 3),
    ]  # fmt: skip
    only_b = json.loads(_cli(data, "ingest", "rejects", "--file", "b.csv", "--json"))
    assert only_b["total"] == 1 and only_b["rows"][0]["row"] == PLANTED
    by_path = json.loads(
        _cli(data, "ingest", "rejects", "--file", str(tmp_path / "b.csv"), "--json")
    )
    assert by_path["rows"] == only_b["rows"]
    table = _cli(data, "ingest", "rejects", "--kind", "calls")
    assert "3 rejected rows by reason" in table and "b.csv" in table
    none = _cli(data, "ingest", "rejects", "--kind", "wanted")
    assert "no rejected rows of wanted" in none


def test_the_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    data = _ingested(tmp_path)
    out = tmp_path / "out" / "rejects.csv"
    _cli(data, "ingest", "rejects", "--out", str(out))
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and set(rows[0]) == {"kind", "file", "line", "reason", "row"}
    planted = next(r for r in rows if "1+2" in r["row"])
    assert planted["row"] == "'" + PLANTED  # shown as text, not run


def test_reading_rejects_is_audited_and_bad_input_is_one_line(tmp_path: Path) -> None:
    data = _ingested(tmp_path)
    register(data, "wang.fang")
    _cli(data, "ingest", "rejects", "--kind", "calls", "--user", "wang.fang")
    store = Store(Settings.from_env(data).database_url)
    with store.session() as s:
        read = s.scalars(select(AuditRow).where(AuditRow.action == "rejects.read")).all()
    store.dispose()
    assert [(r.actor, r.subject) for r in read] == [("wang.fang", "rejects:calls")]
    bad = runner.invoke(app, ["ingest", "rejects", "--kind", "faxes", "--data-dir", str(data)])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    inside_a_file = str(data / "scamnet.db" / "x.csv")
    unwritable = runner.invoke(
        app, ["ingest", "rejects", "--out", inside_a_file, "--data-dir", str(data)]
    )
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.output

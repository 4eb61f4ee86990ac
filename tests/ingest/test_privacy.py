"""Personal data at rest is owner-only, and no message carries a row's values.

Issue 15, "What breaks today" case 6. A planted name and number go into files
that fail in every way a file can fail; the output of those runs (and the error
of a failing SQL statement) must not contain either. Ingests are audited.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.store import Store
from scamnet.store.models import AuditRow
from tests.support.users import register

NAME = "Plantedname Zhangsan"
NUMBER = "+8613912345678"
runner = CliRunner()


def _ingest(kind: str, path: Path, data_dir: Path, *extra: str) -> str:
    register(data_dir)
    result = runner.invoke(app, ["ingest", kind, str(path), "--data-dir", str(data_dir), *extra])
    assert "Traceback" not in result.output
    return result.output


def test_data_directory_is_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    src = tmp_path / "p.csv"
    src.write_text(f"record_id,source_agency,name,phone\nr1,SZPB,{NAME},{NUMBER}\nr2,SZPB,,x\n")
    _ingest("persons", src, data_dir)
    calls = tmp_path / "c.csv"
    calls.write_text(f"caller,callee,start,duration_s\n{NUMBER},+8613800138000,"
                     "2023-10-01 10:00:00Z,5\n,,,\n")  # fmt: skip
    _ingest("calls", calls, data_dir)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    seen = {p.relative_to(data_dir).parts[0] for p in data_dir.rglob("*")}
    assert {"scamnet.db", "lake", "rejects", "locks"} <= seen
    for p in data_dir.rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def test_failing_runs_never_print_a_planted_name_or_number(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    row = f"{NUMBER},{NUMBER},2023-10-01 10:00:00Z,5,{NAME}"
    files = {
        "noheader.csv": f"{row}\n{row}\n",
        "utf16.csv": None,
        "quote.csv": f'caller,callee,start,duration_s,note\n{NUMBER},"{NAME},x,5,y\n',
        "badrows.csv": f"caller,callee,start,duration_s\n{NAME},{NUMBER},tomorrow,{NUMBER}\n",
        "bad.jsonl": f'{{"caller": "{NUMBER}", "name": "{NAME}"\n[1, "{NAME}"]\n',
        "bad.parquet": f"{NAME} {NUMBER}",
    }
    output = []
    for name, content in files.items():
        path = tmp_path / name
        if content is None:
            path.write_bytes(f"caller,callee\n{NUMBER},{NAME}\n".encode("utf-16-le"))
        else:
            path.write_text(content)
        output.append(_ingest("calls", path, data_dir))
    persons = tmp_path / "persons.csv"
    persons.write_text(f'record_id,source_agency,name,phone\nr1,SZPB,"{NAME}\nx",{NUMBER}\n')
    output.append(_ingest("persons", persons, data_dir))
    joined = "\n".join(output) + caplog.text
    assert "cannot be read" in joined and "rejected" in joined  # the runs did fail
    assert NAME not in joined and NUMBER not in joined
    assert NUMBER[1:] not in joined


def test_sql_errors_name_the_statement_never_its_values(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'scamnet.db'}")
    store.upgrade()
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (name TEXT PRIMARY KEY, phone TEXT)"))
        conn.execute(text("INSERT INTO t VALUES (:n, :p)"), {"n": NAME, "p": NUMBER})
    with pytest.raises(IntegrityError) as err, store.engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:n, :p)"), {"n": NAME, "p": NUMBER})
    assert NAME not in str(err.value) and NUMBER not in str(err.value)
    assert "hidden" in str(err.value)
    store.dispose()


def test_every_ingest_is_audited_with_counts_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    src = tmp_path / "p.csv"
    src.write_text(f"record_id,source_agency,name,phone\nr1,SZPB,{NAME},{NUMBER}\nr2,SZPB,,x\n")
    register(data_dir, "analyst7")
    _ingest("persons", src, data_dir, "--user", "analyst7")
    store = Store(f"sqlite:///{data_dir / 'scamnet.db'}")
    with store.session() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.action == "ingest")).all()
        entries = [(r.actor, r.subject, r.detail) for r in rows]
    store.dispose()
    assert len(entries) == 1
    actor, subject, detail = entries[0]
    assert (actor, subject) == ("analyst7", "ingest:persons")
    assert '"stored": 1' in detail and '"rejected": 1' in detail and '"file": "p.csv"' in detail
    assert NAME not in detail and NUMBER not in detail

"""Casework from the command line: clear refusals, statistics and bulletins."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from tests.support.users import register

runner = CliRunner()


def run(data_dir: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    run(tmp_path, "db", "upgrade")
    register(tmp_path)
    persons = tmp_path / "persons.csv"
    persons.write_text("record_id,source_agency,name,birth_date\nP1,CN-YN-DH,明学昌,1955-01-01\n",
                       encoding="utf-8")  # fmt: skip
    run(tmp_path, "ingest", "persons", str(persons))
    return tmp_path


def test_case_lifecycle_and_an_illegal_change(data_dir: Path) -> None:
    out = run(data_dir, "case", "open", "Ming network", "--agency", "CN-YN-DH")
    case = out.split()[2]
    run(data_dir, "case", "add-suspect", case, "1", "--role", "mastermind",
        "--basis", "art. 266", "--agency", "CN-YN-DH")  # fmt: skip
    out = run(data_dir, "case", "status", "1", "charged", "--basis", "x", "--agency",
              "CN-YN-DH", code=1)  # fmt: skip
    assert "cannot go from 'identified' to 'charged'" in out
    # The province is above the bureau: its officer may act on the bureau's case.
    register(data_dir, "yn.officer", "CN-YN")
    run(data_dir, "case", "status", "1", "wanted", "--basis", "warrant W1", "--user",
        "yn.officer")  # fmt: skip
    shown = run(data_dir, "case", "show", case, "--agency", "CN-YN-DH")
    assert "wanted (CN-YN, warrant W1)" in shown
    out = run(data_dir, "case", "status", "1", "located", "--basis", " ", code=1)
    assert "legal basis is required" in out
    out = run(data_dir, "case", "status", "1", "located", "--basis", "x", "--agency", "X", code=1)
    assert "acts for CN-YN-DH, not 'X'" in out


def test_manifest_with_a_bad_line_is_refused_whole(data_dir: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "batch_id,date,crossing,from_agency,to_agency,seq,name,birth_date\n"
        "B1,2023-11-18,Muse,MM-MUSE,CN-YN-DH,1,Ming Xuechang,1955-01-01\n"
        "B1,2023-11-18,Muse,MM-MUSE,CN-YN-DH,2,Zhou Xingyu,1999-13-45\n",
        encoding="utf-8",
    )
    out = run(data_dir, "handover", "import", str(manifest), "--agency", "CN-YN-DH", code=1)
    assert "nothing imported" in out and "line 3" in out
    assert "B1" not in run(data_dir, "handover", "list")
    manifest.write_text(manifest.read_text().replace("1999-13-45", "1999-12-25"))
    out = run(data_dir, "handover", "import", str(manifest), "--agency", "CN-YN-DH")
    assert "B1" in out
    run(data_dir, "handover", "custody", "B1", "1", "received", "--agency", "CN-YN-DH")
    out = run(data_dir, "handover", "custody", "B1", "1", "transferred", "--agency", "CN-YN-DH",
              code=1)  # fmt: skip
    assert "needs first: identity_verified, health_check" in out


def test_operations_statistics_and_bulletins(data_dir: Path, tmp_path: Path) -> None:
    register(data_dir, "lc.officer", "CN-YN-LC")
    run(data_dir, "operation", "create", "Thunder", "--on", "2023-10-01", "--user", "lc.officer")
    run(data_dir, "operation", "outcome", "Thunder", "site_closed", "Laukkai compound 1",
        "--on", "2023-10-03", "--user", "lc.officer")  # fmt: skip
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "batch_id,date,crossing,from_agency,to_agency,seq,name,role\n"
        + "".join(f"B2,2023-11-18,Muse,MM-MUSE,CN-YN-DH,{i},Person {i},"
                  f"{'organiser' if i == 1 else ''}\n" for i in range(1, 6)),
        encoding="utf-8",
    )  # fmt: skip
    run(data_dir, "handover", "import", str(manifest), "--agency", "CN-YN-DH")
    stats = run(data_dir, "report", "stats", "--by", "crossing")
    assert "Muse" in stats and "5" in stats
    out_dir = tmp_path / "out"
    for lang in ("fr", "zh", "en"):
        run(data_dir, "report", "bulletin", "--lang", lang, "--as-of", "2023-11-22T00:41:00Z",
            "--out", str(out_dir))  # fmt: skip
    fr = (out_dir / "bulletin-fr.md").read_text(encoding="utf-8")
    assert fr.splitlines()[2] == "*Dernière mise à jour à 08h41 (UTC+08:00) le 22/11/2023*"
    assert "un total de 5 suspects" in fr and "1 cerveau, organisateur" in fr
    assert "sites fermés : 1" in fr
    assert "共有5名" in (out_dir / "bulletin-zh.md").read_text(encoding="utf-8")
    assert '<html lang="en">' in (out_dir / "bulletin-en.html").read_text(encoding="utf-8")


def test_only_a_supervisor_approves_a_name(data_dir: Path) -> None:
    out = run(data_dir, "report", "approve", "1", "--text", "明学昌 (suspected mastermind)",
              "--user", "nobody", code=1)  # fmt: skip
    assert "no user 'nobody' on this instance" in out
    from scamnet.core.access import UserRole

    register(data_dir, "ana", roles=frozenset({UserRole.ANALYST}))
    out = run(data_dir, "report", "approve", "1", "--text", "明学昌 (suspected mastermind)",
              "--user", "ana", code=1)  # fmt: skip
    assert "(roles: analyst) may not do this: it needs bulletin.approve" in out
    run(data_dir, "report", "approve", "1", "--text", "明学昌 (suspected mastermind)")

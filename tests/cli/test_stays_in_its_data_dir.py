"""No command writes outside its data directory (and the files it is told to write):
not in the directory it is run from, not in the user's home."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app

runner = CliRunner()

MESSAGES = "id,text,label\n" + "".join(
    f"m{i},{text} {i},{label}\n"
    for i in range(40)
    for text, label in (
        ("Your parcel is held: pay the customs fee at http://fee.example", "scam"),
        ("See you at dinner tonight with the children", "normal"),
    )
)


def test_commands_write_only_under_their_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd, home, data = tmp_path / "cwd", tmp_path / "home", tmp_path / "data"
    cwd.mkdir()
    home.mkdir()
    monkeypatch.chdir(cwd)
    env = {"HOME": str(home), "SCAMNET_DATA_DIR": "", "COLUMNS": "120"}
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "messages.csv").write_text(MESSAGES, encoding="utf-8")
    (inputs / "persons.csv").write_text(
        "record_id,source_agency,name,birth_date\nP1,CN-YN-DH,明学昌,1955-01-01\n", encoding="utf-8"
    )
    d = ["--data-dir", str(data)]
    for args in (
        ["db", "upgrade", *d],
        ["exchange", "init", "--agency", "CN-YN-DH", *d],
        ["user", "add", "tester", "--agency", "CN-YN-DH", "--role", "admin", "--password-stdin",
         *d],
        ["ingest", "persons", str(inputs / "persons.csv"), *d],
        ["model", "train", "message", "--input", str(inputs / "messages.csv"),
         "--label-column", "label", *d],
        ["model", "list", *d],
        ["lake", "check", *d],
        ["audit", "verify", *d],
        ["audit", "checkpoint", *d],
        ["case", "list", *d],
        ["report", "stats", *d],
    ):  # fmt: skip
        result = runner.invoke(app, args, env=env, input="a-long-test-passphrase\n")
        assert result.exit_code == 0, (args, result.output)
    assert sorted(p.name for p in cwd.iterdir()) == []
    assert sorted(p.name for p in home.iterdir()) == []
    assert (data / "keys").is_dir()

"""Users from the command line: the first admin, roles, refusals, the audit log."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from scamnet.cli.main import app

runner = CliRunner()
SECRET = "a-long-enough-passphrase\n"


def run(data_dir: Path, *args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], input=stdin,
                           env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == code, result.output
    return result.output


def test_the_first_admin_then_only_admins_manage_users(tmp_path: Path) -> None:
    out = run(tmp_path, "db", "upgrade", "--admin", "li.wei", "--agency", "CN-YN-DH",
              "--password-stdin", stdin=SECRET)  # fmt: skip
    assert "first admin li.wei added for CN-YN-DH" in out
    # With a user in the store, an unnamed `user add` is no longer the bootstrap.
    out = run(tmp_path, "user", "add", "zhang.min", "--agency", "CN-YN-DH", "--role", "analyst",
              "--password-stdin", stdin=SECRET, code=1)  # fmt: skip
    assert "no user 'tester'" in out
    run(tmp_path, "user", "add", "zhang.min", "--agency", "CN-YN-DH", "--role", "analyst",
        "--password-stdin", "--user", "li.wei", stdin=SECRET)  # fmt: skip
    out = run(tmp_path, "user", "add", "eve", "--agency", "CN-YN-DH", "--role", "admin",
              "--password-stdin", "--user", "zhang.min", stdin=SECRET, code=1)  # fmt: skip
    assert "needs users.admin" in out
    # Free text is refused, and so is another agency than the user's own.
    out = run(tmp_path, "case", "list", "--user", "someone", code=1)
    assert "no user 'someone' on this instance" in out
    out = run(tmp_path, "case", "list", "--user", "zhang.min", "--agency", "CN-MPS", code=1)
    assert "acts for CN-YN-DH, not 'CN-MPS'" in out
    run(tmp_path, "case", "list", "--user", "zhang.min")
    # An analyst may not open a case; the refusal writes nothing.
    out = run(tmp_path, "case", "open", "x", "--user", "zhang.min", code=1)
    assert "needs cases.write" in out
    run(tmp_path, "user", "roles", "zhang.min", "--role", "investigator", "--user", "li.wei")
    run(tmp_path, "case", "open", "Ming network", "--user", "zhang.min")
    run(tmp_path, "user", "disable", "zhang.min", "--user", "li.wei")
    out = run(tmp_path, "case", "list", "--user", "zhang.min", code=1)
    assert "disabled" in out
    listed = json.loads(run(tmp_path, "user", "list", "--json", "--user", "li.wei"))
    assert {u["username"]: u["active"] for u in listed} == {"li.wei": True, "zhang.min": False}
    log = json.loads(run(tmp_path, "audit", "log", "--user", "li.wei", "--json", "--as", "li.wei"))
    actions = [e["action"] for e in log]
    assert {"user.add", "user.roles", "user.disable"} <= set(actions)
    log = json.loads(run(tmp_path, "audit", "log", "--subject", "user:zhang.min", "--json",
                         "--as", "li.wei"))  # fmt: skip
    assert log[0]["action"] == "user.disable"


def test_a_weak_password_and_a_bad_name_are_refused(tmp_path: Path) -> None:
    run(tmp_path, "db", "upgrade")
    out = run(tmp_path, "user", "add", "li.wei", "--agency", "CN-YN-DH", "--role", "admin",
              "--password-stdin", stdin="short\n", code=1)  # fmt: skip
    assert "at least 12 characters" in out
    out = run(tmp_path, "user", "add", "Li Wei; DROP", "--agency", "CN-YN-DH", "--role", "admin",
              "--password-stdin", stdin=SECRET, code=1)  # fmt: skip
    assert "a username has" in out
    out = run(tmp_path, "user", "add", "li.wei", "--agency", "CN-YN-DH", "--role", "analyst",
              "--password-stdin", stdin=SECRET, code=1)  # fmt: skip
    assert "the first user must be an admin" in out

"""The browser tests' users: one per role, all acting for the Dehong bureau."""

from __future__ import annotations

from pathlib import Path

PASSWORD = "correct horse battery staple"
AGENCY = "CN-YN-DH"
DEMO_ADMIN = "demo"  # `scamnet demo` creates it
ROLES = {
    "admin1": "admin",
    "super1": "supervisor",
    "inv1": "investigator",
    "ana1": "analyst",
    "liaison1": "liaison",
    "viewer1": "viewer",
}


def register(data_dir: Path) -> None:
    """Create the users with ``scamnet user add``, as the demo's admin."""
    from typer.testing import CliRunner

    from scamnet.cli.main import app

    runner = CliRunner()
    for name, role in ROLES.items():
        args = ["user", "add", name, "--agency", AGENCY, "--role", role, "--password-stdin",
                "--user", DEMO_ADMIN, "--data-dir", str(data_dir)]  # fmt: skip
        result = runner.invoke(app, args, input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output

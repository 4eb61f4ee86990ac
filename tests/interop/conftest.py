"""Fixtures of the interchange tests.

- ``world``: one copy of the session's tiny demo world for the module (the exports
  append audit entries, so the pristine copy is never used directly).
- ``cli``: runs ``scamnet`` on that world as the Dehong bureau's analyst ``ana``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from tests.support.users import register

Cli = Callable[..., str]


@pytest.fixture(scope="module")
def world(_pristine_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("interop") / "demo"
    shutil.copytree(_pristine_demo, copy)
    register(copy, "ana")  # the CLI acts only for registered users
    return copy


def run(data_dir: Path, *args: str, code: int = 0) -> str:
    argv = [*args, "--data-dir", str(data_dir), "--agency", "CN-YN-DH", "--user", "ana"]
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def cli(world: Path) -> Cli:
    def call(*args: str, code: int = 0) -> str:
        return run(world, *args, code=code)

    return call

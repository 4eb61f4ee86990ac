"""The traceback walk: every command and subcommand, with no arguments, with bad
arguments and on an empty data directory, answers with a clear line, never a
traceback or an internal error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

from scamnet.cli.errors import INTERNAL
from scamnet.cli.main import app

runner = CliRunner()
ROOT = typer.main.get_command(app)
# Long-running or serving commands: only their argument parsing is walked.
NOT_RUN = {"demo", "serve", "simulate"}


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if hasattr(command, "list_commands"):  # a group, maybe lazy: ask it, as the CLI does
        ctx = typer.core._click.Context(command)
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))
    else:
        yield path, command


COMMANDS = dict(_commands(ROOT))


def _kind(param: Any) -> str:
    """The click parameter type's name: what the parser converts the text into."""
    return type(param.type).__name__


def _value(param: Any, bad: bool) -> str:
    kind = _kind(param)
    if kind == "Choice":
        return "not-a-choice" if bad else str(param.type.choices[0])
    if kind in ("IntParamType", "IntRange"):
        return "not-a-number" if bad else "1"
    if kind in ("FloatParamType", "FloatRange"):
        return "a-lot" if bad else "0.5"
    if kind == "Path":
        return "/nonexistent/dir/file.csv"
    return "2023-13-45" if bad else "x"


def _args(command: Any, bad: bool, data_dir: Path) -> list[str]:
    out: list[str] = []
    for p in command.params:
        if p.param_type_name == "argument":
            out.append(_value(p, bad))
        elif p.required and _kind(p) != "BoolParamType":
            out += [p.opts[0], _value(p, bad)]
    if any("--data-dir" in p.opts for p in command.params if p.param_type_name == "option"):
        out += ["--data-dir", str(data_dir)]
    return out


def _check(result: Any, args: list[str]) -> None:
    shown = f"scamnet {' '.join(args)}\n{result.output}"
    assert result.exit_code != INTERNAL, shown
    assert "Traceback" not in result.output, shown
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (shown, repr(result.exception))


@pytest.fixture(scope="module")
def empty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty")


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_no_arguments_bad_arguments_and_an_empty_data_dir(
    path: tuple[str, ...], empty_dir: Path, tmp_path: Path
) -> None:
    command = COMMANDS[path]
    env = {"COLUMNS": "100", "SCAMNET_DATA_DIR": str(tmp_path / "unset"), "SCAMNET_DEBUG": ""}
    if path[0] not in NOT_RUN:
        _check(runner.invoke(app, list(path), env=env), list(path))
    bad = [*path, *_args(command, bad=True, data_dir=tmp_path / "missing")]
    if path[0] in NOT_RUN:  # a long-running command is only ever given arguments it refuses
        bad.append("--no-such-option")
    _check(runner.invoke(app, bad, env=env), bad)
    if path[0] not in NOT_RUN:
        plausible = [*path, *_args(command, bad=False, data_dir=empty_dir)]
        _check(runner.invoke(app, plausible, env=env), plausible)

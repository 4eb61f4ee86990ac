"""Progress on long steps is drawn on stderr, only when stderr is a terminal, and never
when the output is for a program (``quiet``, as with ``--json``)."""

from __future__ import annotations

import io

from rich.console import Console

from scamnet.cli.progress import _err_console, step


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def test_a_terminal_sees_the_step_and_its_count() -> None:
    console, out = _console(terminal=True)
    with step("ingest calls", total=3, console=console) as advance:
        advance()
        advance(description="ingest calls: c2.csv")
    drawn = out.getvalue()
    assert "ingest calls" in drawn and "/3" in drawn


def test_a_pipe_or_quiet_output_sees_nothing() -> None:
    console, out = _console(terminal=False)
    with step("resolving persons", console=console):
        pass
    assert out.getvalue() == ""
    console, out = _console(terminal=True)
    with step("resolving persons", quiet=True, console=console) as advance:
        advance()
    assert out.getvalue() == ""


def test_the_progress_goes_to_stderr() -> None:
    assert _err_console().stderr

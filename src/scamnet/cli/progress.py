"""Progress on the long steps (the demo's, ``resolve persons``, ``network groups``, an
ingest of many or big files): a spinner or a bar with the elapsed time.

It is drawn on stderr, and only when stderr is a terminal: a pipe, a file, a test
runner or a script reading ``--json`` from stdout never sees it. It is transient:
once the step is done the line goes, and the step's own summary follows on stdout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


def _err_console() -> Console:
    from scamnet.cli.context import err_console

    return err_console


@contextmanager
def step(
    description: str,
    total: int | None = None,
    *,
    quiet: bool = False,
    console: Console | None = None,
) -> Iterator[Callable[..., None]]:
    """Show ``description`` working while the block runs; yields ``advance(n=1,
    description=None)`` to move a bar of ``total`` steps (a spinner without a total).

    Args:
        description: What is being done, in a few words.
        total: How many units the bar counts (files, batches); None for a spinner.
        quiet: Show nothing (``--json`` output, or a caller that prints its own).
        console: Where to draw (default: the CLI's stderr console).
    """
    out = console if console is not None else _err_console()
    columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    columns.append(TimeElapsedColumn())
    shown = not quiet and out.is_terminal
    with Progress(*columns, console=out, transient=True, disable=not shown) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=n, description=description)

        yield advance

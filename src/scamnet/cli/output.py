"""Machine-readable output: ``--json`` on read commands prints one JSON document.

The document is the use case's result as it is (dataclasses become objects, times
ISO 8601 with their offset, decimals strings), so scripts read what the tables show.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import rich.table
import typer

from scamnet.jobs.results import plain as plain  # one rule for the CLI and the jobs

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of a table.")
]


def print_json(value: Any) -> None:
    typer.echo(json.dumps(plain(value), ensure_ascii=False, indent=2))


class Table(rich.table.Table):
    """A Rich table that folds long cells instead of cutting them: an identifier shown
    with an ellipsis cannot be copied or searched."""

    def add_column(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)

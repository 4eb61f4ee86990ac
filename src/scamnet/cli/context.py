"""Shared CLI plumbing: settings from options and the environment, and the console."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from scamnet.store import Settings, Store

console = Console()
err_console = Console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory (default: $SCAMNET_DATA_DIR or ./scamnet-data).",
        show_default=False,
    ),
]


def settings_for(data_dir: Path | None) -> Settings:
    return Settings.from_env(data_dir)


def open_store(settings: Settings) -> Store:
    try:
        return Store(settings.database_url)
    except Exception as exc:  # a bad URL or a missing driver: say which, no traceback
        err_console.print(f"[red]cannot open the store:[/red] {exc}")
        raise typer.Exit(2) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)

"""``scamnet features``: compute feature tables from the record lake."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from scamnet.cli.context import DataDirOption, console, fail, open_store, settings_for
from scamnet.cli.output import Table
from scamnet.detect.usecase import build_subscriber_features
from scamnet.engine.base import EngineUnavailable

app = typer.Typer(help="Compute feature tables from the ingested records.")


def parse_day(text: str) -> date:
    """A YYYY-MM-DD option value, or a clear usage error."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise fail(f"{text!r} is not a date (YYYY-MM-DD)", 2) from None


@app.command()
def subscribers(
    start: Annotated[str, typer.Option("--from", help="First day of the window (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the window (YYYY-MM-DD).")],
    callback_days: Annotated[int, typer.Option(help="Days a callee has to call back.")] = 3,
    lookback_days: Annotated[
        int, typer.Option(help="Days before the window for 'new' contacts.")
    ] = 7,
    out: Annotated[Path | None, typer.Option(help="Parquet file to write.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Per-subscriber calling and messaging features over a window of days.

    Day partials are kept: adding a day computes that day only."""
    first, last = parse_day(start), parse_day(end)
    if last < first:
        raise fail("--to is before --from", 2)
    settings = settings_for(data_dir)
    store = open_store(settings)
    store.upgrade()
    began = time.perf_counter()
    try:
        built = build_subscriber_features(settings, store, first, last, callback_days,
                                          lookback_days, out)  # fmt: skip
    except EngineUnavailable as exc:
        raise fail(str(exc), 2) from None  # fail() escapes it: "[spark]" is not markup
    finally:
        store.dispose()
    table = Table(title=f"subscriber features {first} – {last}", show_header=False)
    table.add_row("subscribers", f"{built.rows:,}")
    table.add_row("features", ", ".join(built.features))
    table.add_row(
        "days computed now",
        ", ".join(d.isoformat() for d in built.computed) or "none (all reused)",
    )
    table.add_row("written to", str(built.target))
    table.add_row("time", f"{time.perf_counter() - began:.1f} s")
    console.print(table)

"""``scamnet features``: compute feature tables from the record lake."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.parquet as pq
import typer

from scamnet.cli.context import DataDirOption, console, fail, open_store, settings_for
from scamnet.cli.output import Table
from scamnet.engine import open_engine
from scamnet.engine.features.subscriber_sql import FEATURES
from scamnet.engine.features.subscribers import CELL_REF, SubscriberFeatures
from scamnet.lake import RecordLake
from scamnet.store import Store
from scamnet.store.seeds import cell_reference as stored_cells

app = typer.Typer(help="Compute feature tables from the ingested records.")


def cell_reference(store: Store) -> pa.Table:
    """The cell table from the store, as the features need it."""
    with store.session() as session:
        return stored_cells(session, CELL_REF)


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
    target = out or settings.features_dir / f"subscribers_{first}_{last}.parquet"
    began = time.perf_counter()
    with open_engine("duckdb") as engine:
        lake = RecordLake(settings.lake_dir)
        feats = SubscriberFeatures(engine, lake, settings.features_dir, cell_reference(store))
        rel = feats.compute(first, last, callback_days, lookback_days)
        engine.write_parquet(rel, target)
    computed = feats.last_computed
    rows = pq.read_metadata(target).num_rows
    store.dispose()
    table = Table(title=f"subscriber features {first} – {last}", show_header=False)
    table.add_row("subscribers", f"{rows:,}")
    table.add_row("features", ", ".join(FEATURES))
    table.add_row(
        "days computed now", ", ".join(d.isoformat() for d in computed) or "none (all reused)"
    )
    table.add_row("written to", str(target))
    table.add_row("time", f"{time.perf_counter() - began:.1f} s")
    console.print(table)

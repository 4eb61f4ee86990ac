"""``scamnet db``: the relational store's schema."""

from __future__ import annotations

import typer

from scamnet.cli.context import DataDirOption, console, fail, settings_for
from scamnet.core.reference import reference_agencies
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository

app = typer.Typer(help="Manage the relational store (SQLite by default, PostgreSQL in production).")


@app.command()
def upgrade(data_dir: DataDirOption = None, revision: str = "head") -> None:
    """Create or migrate the schema up to REVISION (default: the newest)."""
    settings = settings_for(data_dir, create=True)
    try:
        store = Store(settings.database_url)
    except Exception as exc:  # a bad URL or a missing driver: say which, no traceback
        raise fail(f"cannot open the store: {type(exc).__name__}: {exc}", 2) from None
    before = store.current_revision()
    store.upgrade(revision)
    after = store.current_revision()
    added = 0
    if revision == "head":  # every instance knows the reference agencies
        with store.session() as session:
            added = AgencyRepository(session).ensure(reference_agencies())
    console.print(
        f"schema {before or 'empty'} → {after} on {store.dialect}; {added} reference agencies added"
    )
    store.dispose()


@app.command()
def status(data_dir: DataDirOption = None) -> None:
    """Show the schema revision of the store and the newest one this version knows."""
    try:
        store = Store(settings_for(data_dir).database_url)
    except Exception as exc:
        raise fail(f"cannot open the store: {type(exc).__name__}: {exc}", 2) from None
    current, head = store.current_revision(), store.head_revision()
    console.print(f"{store.dialect}: at {current or 'empty'}, newest {head}")
    store.dispose()
    if current != head:
        raise typer.Exit(1)

"""``scamnet db``: the relational store's schema."""

from __future__ import annotations

import typer

from scamnet.cli.context import DataDirOption, console, open_store, settings_for

app = typer.Typer(help="Manage the relational store (SQLite by default, PostgreSQL in production).")


@app.command()
def upgrade(data_dir: DataDirOption = None, revision: str = "head") -> None:
    """Create or migrate the schema up to REVISION (default: the newest)."""
    settings = settings_for(data_dir)
    store = open_store(settings)
    before = store.current_revision()
    store.upgrade(revision)
    after = store.current_revision()
    console.print(f"schema {before or 'empty'} → {after} on {store.dialect}")
    store.dispose()


@app.command()
def status(data_dir: DataDirOption = None) -> None:
    """Show the schema revision of the store and the newest one this version knows."""
    store = open_store(settings_for(data_dir))
    current, head = store.current_revision(), store.head_revision()
    console.print(f"{store.dialect}: at {current or 'empty'}, newest {head}")
    store.dispose()
    if current != head:
        raise typer.Exit(1)

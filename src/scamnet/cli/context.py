"""Shared CLI plumbing: settings from options and the environment, and the console."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from scamnet.cases.handovers import import_rows
from scamnet.core.access import Actor
from scamnet.core.errors import DomainError
from scamnet.exchange.bundle import BundleRefused
from scamnet.exchange.keys import NoIdentity, load_instance
from scamnet.ingest.sources import SourceError
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.records import StoreSink
from scamnet.store.uow import SqlUnitOfWork

DEFAULT_USER = os.environ.get("USER") or "operator"

console = Console(soft_wrap=True)
# Errors carry paths that users grep and copy: never hard-wrap them at the terminal width.
err_console = Console(stderr=True, soft_wrap=True)

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


UserOption = Annotated[
    str,
    typer.Option("--user", envvar="SCAMNET_USER", help="Who acts (recorded with every change)."),
]
AgencyOption = Annotated[
    str | None,
    typer.Option(
        "--agency",
        envvar="SCAMNET_AGENCY",
        help="The agency acted for (default: this instance's, from `exchange init`).",
        show_default=False,
    ),
]


@contextmanager
def unit_of_work(data_dir: Path | None) -> Iterator[tuple[Settings, Session]]:
    """One committed transaction; a refused change prints its reason and writes nothing."""
    settings = settings_for(data_dir)
    store = open_store(settings)
    try:
        with store.session() as session:
            yield settings, session
    except (DomainError, LookupError, PermissionError, NoIdentity, BundleRefused) as exc:
        raise fail(str(exc)) from None
    finally:
        store.dispose()


@contextmanager
def casework(data_dir: Path | None) -> Iterator[tuple[Settings, SqlUnitOfWork]]:
    """One committed unit of work for the casework use cases (`scamnet.cases`)."""
    with unit_of_work(data_dir) as (settings, session):
        yield settings, SqlUnitOfWork(session)


def record_sink(session: Session) -> StoreSink:
    """The store's sink for ingested rows, with handovers going through the casework."""
    user = f"ingest:{DEFAULT_USER}"

    def handovers(rows: list[dict[str, Any]]) -> int:
        try:
            return import_rows(SqlUnitOfWork(session), user, rows)
        except DomainError as exc:  # a conflicting batch fails the file, with the reason
            raise SourceError(f"handovers refused: {exc}") from None

    return StoreSink(session, handovers)


def actor_for(settings: Settings, user: str, agency: str | None) -> Actor:
    if agency is None:
        try:
            agency = load_instance(settings.data_dir).agency
        except NoIdentity:
            raise fail("say which agency acts: --agency CODE (or run `exchange init`)") from None
    if not user.strip():
        raise fail("say who acts: --user NAME")
    return Actor(user.strip(), agency)

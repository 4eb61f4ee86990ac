"""Shared CLI plumbing: settings from options and the environment, and the console."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from scamnet.core.access import Actor, Permission
from scamnet.core.errors import DomainError
from scamnet.settings import Settings

if TYPE_CHECKING:  # imported where used: a light command starts without them
    from sqlalchemy.orm import Session

    from scamnet.store import Store
    from scamnet.store.lite import LiteStore
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


def settings_for(data_dir: Path | None, create: bool = False) -> Settings:
    """Settings for the chosen data directory.

    Only the commands that bring data in (``db upgrade``, ``ingest``, ``exchange
    init``, ``demo``) create a missing directory; any other command refuses it, so
    a mistyped ``--data-dir`` never yields a silently empty store.
    """
    settings = Settings.from_env(data_dir)
    if create:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    elif not settings.data_dir.is_dir():
        raise fail(
            f"no data directory {settings.data_dir}: check --data-dir (or SCAMNET_DATA_DIR), "
            f"or create one with `scamnet db upgrade --data-dir {settings.data_dir}`",
            2,
        )
    return settings


def open_store(settings: Settings) -> Store:
    """The store, migrated to this version's schema on first use (the one rule for every
    command: a store is never read at an older schema)."""
    from scamnet.store import Store

    try:
        store = Store(settings.database_url)
        if store.current_revision() != store.head_revision():
            store.upgrade()
        return store
    except Exception as exc:  # a bad URL, a missing driver, an unreachable server
        first = (str(exc).splitlines() or [""])[0][:300]
        raise fail(f"cannot open the store: {type(exc).__name__}: {first}", 2) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    # Escaped: paths and extras ("scamnet[spark]") hold brackets that are not Rich markup.
    err_console.print(f"[red]error:[/red] {escape(message)}")
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
        help="The agency acted for (default: the acting user's own; no other is accepted).",
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
    except (DomainError, LookupError, PermissionError) as exc:
        raise fail(str(exc)) from None
    except RuntimeError as exc:
        from scamnet.exchange.keys import NoIdentity

        if isinstance(exc, NoIdentity):
            raise fail(str(exc)) from None
        raise
    finally:
        store.dispose()


@contextmanager
def casework(data_dir: Path | None) -> Iterator[tuple[Settings, SqlUnitOfWork]]:
    """One committed unit of work for the casework use cases (`scamnet.cases`)."""
    from scamnet.store.uow import SqlUnitOfWork

    with unit_of_work(data_dir) as (settings, session):
        yield settings, SqlUnitOfWork(session)


def record_sink(session: Session) -> StoreSink:
    """The store's sink for ingested rows, with handovers going through the casework."""
    from scamnet.ingest.usecase import record_sink as sink

    return sink(session, f"ingest:{DEFAULT_USER}")


def actor_for(settings: Settings, user: str, agency: str | None, need: Permission) -> Actor:
    """The registered, active user acting, for its own agency, holding ``need``.

    Free text is refused: the audit log records who acted, so it must be someone.
    ``SCAMNET_WHY`` gives the case or legal basis recorded with reads of personal data.
    The user is read through the light path when the store allows it (see `reading`).
    """
    from scamnet.core.errors import NotAllowed, NotAuthenticated
    from scamnet.security.acting import acting_user
    from scamnet.store.lite import LiteStore

    if not user.strip():
        raise fail("say who acts: --user NAME")
    why = os.environ.get("SCAMNET_WHY", "")
    try:
        lite = LiteStore.open(settings.database_url)
        if lite is not None:
            try:
                actor = acting_user(lite, user.strip(), agency, why)
            finally:
                lite.close()
        else:
            actor = _registered(settings, user.strip(), agency, why)
    except (NotAuthenticated, NotAllowed) as exc:
        raise fail(str(exc)) from None
    if not actor.may(need):
        roles = ", ".join(sorted(actor.roles)) or "none"
        raise fail(f"user {actor.user!r} (roles: {roles}) may not do this: it needs {need.value}")
    return actor


def _registered(settings: Settings, user: str, agency: str | None, why: str) -> Actor:
    from scamnet.security.users import cli_actor

    store = open_store(settings)
    try:
        with store.session() as session:
            return cli_actor(session, user, agency, why)
    finally:
        store.dispose()


@contextmanager
def reading(settings: Settings) -> Iterator[LiteStore | SqlUnitOfWork]:
    """What a read-only command reads through: the light path (`scamnet.store.lite`,
    plain ``sqlite3``, for a fast start) when the store is SQLite at this version's
    schema, else a unit of work of the full store (which upgrades it first)."""
    from scamnet.store.lite import LiteStore

    lite = LiteStore.open(settings.database_url)
    if lite is None:
        with casework(settings.data_dir) as (_settings, uow):
            yield uow
        return
    try:
        yield lite
    finally:
        lite.close()

"""``scamnet db``: the relational store's schema."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import DataDirOption, console, fail, settings_for
from scamnet.cli.output import JsonOption, print_json
from scamnet.core.reference import reference_agencies
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.database import hold_migration_lock

app = typer.Typer(help="Manage the relational store (SQLite by default, PostgreSQL in production).")


@app.command()
def upgrade(
    data_dir: DataDirOption = None,
    revision: str = "head",
    admin: Annotated[
        str | None,
        typer.Option(
            help="Also create this first admin (when the store has no user yet).",
            show_default=False,
        ),
    ] = None,
    agency: Annotated[
        str | None, typer.Option(help="The first admin's agency.", show_default=False)
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the admin's password from stdin.")
    ] = False,
) -> None:
    """Create or migrate the schema up to REVISION (default: the newest), and optionally
    create the first admin."""
    if admin is not None and agency is None:
        raise fail("the first admin needs an agency: --agency CODE")
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
            hold_migration_lock(session)  # a second upgrade at once finds them added
            added = AgencyRepository(session).ensure(reference_agencies())
    console.print(
        f"schema {before or 'empty'} → {after} on {store.dialect}; {added} reference agencies added"
    )
    if admin is not None and agency is not None:
        _first_admin(settings, store, admin, agency, password_stdin)
    store.dispose()


def _first_admin(settings: Settings, store: Store, name: str, agency: str, stdin: bool) -> None:
    from scamnet.cli.user import owns_data_dir, read_password
    from scamnet.core.access import UserRole
    from scamnet.core.errors import NotAllowed
    from scamnet.security.users import add_user
    from scamnet.store.agencies import UnknownAgency
    from scamnet.store.users import UserError

    if not owns_data_dir(settings):
        raise fail("only the owner of the data directory may add the first admin")
    password = read_password(stdin)
    try:
        with store.session() as session:
            add_user(session, None, name, password, frozenset({UserRole.ADMIN}), agency)
    except (NotAllowed, UserError, UnknownAgency) as exc:
        raise fail(str(exc)) from None
    console.print(f"first admin {name} added for {agency}")


@app.command()
def status(as_json: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """Show the schema revision of the store and the newest one this version knows."""
    try:
        store = Store(settings_for(data_dir).database_url)
    except Exception as exc:
        raise fail(f"cannot open the store: {type(exc).__name__}: {exc}", 2) from None
    current, head = store.current_revision(), store.head_revision()
    if as_json:
        print_json({"dialect": store.dialect, "revision": current, "newest": head,
                    "current": current == head})  # fmt: skip
    else:
        console.print(f"{store.dialect}: at {current or 'empty'}, newest {head}")
    store.dispose()
    if current != head:
        raise typer.Exit(1)

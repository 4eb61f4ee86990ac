"""``scamnet user``: users, their roles and agency, passwords and API tokens."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    fail,
    settings_for,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Actor, UserRole
from scamnet.core.access import Permission as Need
from scamnet.settings import Settings

app = typer.Typer(help="Users: add, list, disable, change passwords, roles and API tokens.")

RoleOption = Annotated[
    list[UserRole], typer.Option("--role", help="A role; repeat for several.", show_default=False)
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def read_password(from_stdin: bool) -> str:
    """The new password, from stdin (for scripts) or typed twice, hidden."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise fail("no terminal to type a password: pass --password-stdin and pipe it in")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


def owns_data_dir(settings: Settings) -> bool:
    """True when this OS user owns the data directory (the bootstrap right)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or settings.data_dir.stat().st_uid == getuid()


def admin_or_bootstrap(settings: Settings, user: str | None) -> Actor | None:
    """The acting admin; None for the data directory's owner adding the first user."""
    from scamnet.security.users import user_count

    if user is None:
        with unit_of_work(settings.data_dir) as (_, session):
            first = user_count(session) == 0
        if first:
            if not owns_data_dir(settings):
                raise fail("only the owner of the data directory may add the first admin")
            return None
        user = DEFAULT_USER
    return actor_for(settings, user, None, Need.USERS_ADMIN)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The login name (lower case).")],
    agency: Annotated[str, typer.Option(help="The agency the user works for.")],
    role: RoleOption,
    display_name: Annotated[str, typer.Option(help="The name shown in the UI.")] = "",
    password_stdin: PasswordStdin = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="SCAMNET_USER",
            help="The admin adding (omit for the first).",
            show_default=False,
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add a user. The first one (an admin) may be added by the data directory's owner."""
    from scamnet.security.users import add_user

    settings = settings_for(data_dir)
    by = admin_or_bootstrap(settings, user)
    password = read_password(password_stdin)
    with unit_of_work(settings.data_dir) as (_, session):
        made = add_user(session, by, name, password, frozenset(role), agency, display_name)
    console.print(f"user {made.username} added for {made.agency}: {', '.join(made.roles)}")


@app.command("list")
def list_users(
    as_json: JsonOption = False, user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None
) -> None:
    """Every user with agency, roles and state."""
    from scamnet.security.users import list_users as run

    with unit_of_work(data_dir) as (settings, session):
        found = run(session, actor_for(settings, user, None, Need.USERS_ADMIN))
    if as_json:
        print_json(found)
        return
    table = Table("user", "name", "agency", "roles", "state")
    for u in found:
        state = "active" if u.active else "disabled"
        table.add_row(
            u.username,
            u.display_name,
            u.agency or "",
            ", ".join(u.roles),
            state + (", locked" if u.locked else ""),
        )
    console.print(table)


def _set_active(name: str, active: bool, user: str, data_dir: DataDirOption) -> None:
    from scamnet.security.users import set_active

    with unit_of_work(data_dir) as (settings, session):
        set_active(session, actor_for(settings, user, None, Need.USERS_ADMIN), name, active)
    console.print(f"user {name} {'enabled' if active else 'disabled (its tokens revoked)'}")


@app.command("disable")
def disable(name: str, user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None) -> None:
    """Disable a user and revoke every token it holds."""
    _set_active(name, False, user, data_dir)


@app.command("enable")
def enable(name: str, user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None) -> None:
    """Enable a disabled user again."""
    _set_active(name, True, user, data_dir)


@app.command("passwd")
def passwd(
    name: str,
    password_stdin: PasswordStdin = False,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Set a user's password (your own, or anyone's as an admin); old sessions end."""
    from scamnet.security.users import set_password

    settings = settings_for(data_dir)
    actor = actor_for(settings, user, None, Need.STATS_READ)
    password = read_password(password_stdin)
    with unit_of_work(settings.data_dir) as (_, session):
        set_password(session, actor, name, password)
    console.print(f"password of {name} changed; its sessions and tokens are revoked")


@app.command("roles")
def roles(
    name: str, role: RoleOption, user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None
) -> None:
    """Replace a user's roles."""
    from scamnet.security.users import set_roles

    with unit_of_work(data_dir) as (settings, session):
        view = set_roles(
            session, actor_for(settings, user, None, Need.USERS_ADMIN), name, frozenset(role)
        )
    console.print(f"user {view.username}: {', '.join(view.roles)}")


@app.command("token")
def token(
    name: str,
    days: Annotated[int, typer.Option(help="Days until it expires (1-365).")] = 30,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Issue an API token (printed once; only its hash is stored)."""
    from scamnet.security.auth import issue_token

    with unit_of_work(data_dir) as (settings, session):
        issued = issue_token(
            session, actor_for(settings, user, None, Need.STATS_READ), name, label, days
        )
    console.print(f"token for {name}, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC:")
    typer.echo(issued.token)


@app.command("revoke")
def revoke(
    token_value: Annotated[str, typer.Argument(metavar="TOKEN", help="The token to revoke.")],
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke an API token."""
    from scamnet.security.auth import revoke_token

    with unit_of_work(data_dir) as (settings, session):
        done = revoke_token(session, actor_for(settings, user, None, Need.STATS_READ), token_value)
    if not done:
        raise fail("no live token like that")
    console.print("token revoked")

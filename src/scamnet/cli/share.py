"""``scamnet share``: sharing rules between agencies, up to a handling code."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Permission as Need
from scamnet.core.handling import HandlingCode

app = typer.Typer(help="Sharing rules: let another agency read records up to a handling code.")


@app.command("grant")
def grant(
    owner: Annotated[str, typer.Argument(help="The agency whose records are shared.")],
    grantee: Annotated[str, typer.Argument(help="The agency that may read them.")],
    ceiling: Annotated[HandlingCode, typer.Option(help="The most restricted code shared.")] = (
        HandlingCode.H1
    ),
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Let GRANTEE read OWNER's records up to a handling code (H3 never leaves)."""
    from scamnet.security.sharing import grant as run

    with unit_of_work(data_dir) as (settings, session):
        share = run(
            session, actor_for(settings, user, None, Need.SHARING_ADMIN), owner, grantee, ceiling
        )
    console.print(f"rule {share.id}: {grantee} reads {owner}'s records up to {ceiling.value}")


@app.command("list")
def list_rules(
    as_json: JsonOption = False, user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None
) -> None:
    """The active rules that concern your agencies."""
    from scamnet.security.sharing import list_shares

    with unit_of_work(data_dir) as (settings, session):
        found = list_shares(session, actor_for(settings, user, None, Need.SHARING_ADMIN))
    if as_json:
        print_json(found)
        return
    table = Table("rule", "owner", "grantee", "up to", "by", "since")
    for s in found:
        table.add_row(
            str(s.id), s.owner, s.grantee, s.ceiling, s.created_by, f"{s.created_at:%Y-%m-%d}"
        )
    console.print(table)


@app.command("revoke")
def revoke(rule: int, user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None) -> None:
    """End a sharing rule."""
    from scamnet.security.sharing import revoke as run

    with unit_of_work(data_dir) as (settings, session):
        run(session, actor_for(settings, user, None, Need.SHARING_ADMIN), rule)
    console.print(f"rule {rule} revoked")

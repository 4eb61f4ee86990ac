"""``scamnet transfer``: requests to partner agencies to hand over named persons."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cases import transfers
from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    casework,
    console,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Permission as Need
from scamnet.core.cases import TransferStatus

app = typer.Typer(help="Transfer requests: sent, acknowledged, executed or refused.")


@app.command("request")
def request(
    partner: Annotated[str, typer.Argument(help="The partner agency's code, e.g. MM-MUSE.")],
    person: Annotated[list[int], typer.Option("--person", help="A person id (repeatable).")],
    basis: Annotated[str, typer.Option("--basis", help="The treaty or agreement relied on.")],
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Record a new request (send it with `scamnet exchange send-request`)."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.TRANSFERS_WRITE)
        ref = transfers.create(uow, actor, partner, person, basis)
    console.print(f"transfer request [bold]{ref}[/bold] to {partner}: {len(person)} persons, sent")


@app.command("status")
def status(
    reference: Annotated[str, typer.Argument(help="The request's reference.")],
    new: Annotated[TransferStatus, typer.Argument(help="acknowledged, executed or refused.")],
    note: Annotated[str, typer.Option(help="A note for the record.")] = "",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Move a request on locally (`exchange send-status` also tells the partner)."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.TRANSFERS_WRITE)
        now = transfers.change(uow, actor, reference, new, note)
    console.print(f"{reference} is now {now}")


@app.command("list")
def list_requests(
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """All requests, ours and partners'. (those of the agencies you may read)."""
    with casework(data_dir) as (settings, uow):
        found = transfers.list_requests(uow, actor_for(settings, user, agency, Need.TRANSFERS_READ))
    if as_json:
        print_json(found)
        return
    table = Table("reference", "from", "to", "persons", "status", "legal basis")
    for r in found:
        table.add_row(r.reference, r.requesting_agency, r.partner_agency,
                      str(len(r.persons)), r.status, r.legal_basis)  # fmt: skip
    console.print(table)

"""``scamnet case``: cases and suspects, every status change through the lifecycle."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    unit_of_work,
)
from scamnet.core.cases import CaseOrigin
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.store.audit import AuditLog
from scamnet.store.cases import CaseRepository

app = typer.Typer(help="Cases and suspects: open, add, move through the lifecycle.")

BasisOption = Annotated[
    str, typer.Option("--basis", help="Legal basis: the article, warrant or treaty relied on.")
]


@app.command("open")
def open_case(
    title: Annotated[str, typer.Argument(help="A short title.")],
    origin: Annotated[
        CaseOrigin, typer.Option(help="What the case comes from.")
    ] = CaseOrigin.MANUAL,
    ref: Annotated[
        str | None, typer.Option(help="The group id, alert id or report id it comes from.")
    ] = None,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Open a case. From a group, its members become suspects with their roles."""
    with unit_of_work(data_dir) as (settings, session):
        reference = CaseRepository(session).open(
            title, origin, ref, actor_for(settings, user, agency)
        )
        n = len(CaseRepository(session).suspects(reference))
    console.print(f"opened case [bold]{reference}[/bold] with {n} suspects")


@app.command("add-suspect")
def add_suspect(
    case: Annotated[str, typer.Argument(help="Case reference, e.g. C-2026-00001.")],
    person: Annotated[int, typer.Argument(help="Person id.")],
    basis: BasisOption,
    role: Annotated[Role | None, typer.Option(help="Suspected role in the group.")] = None,
    status: Annotated[SuspectStatus, typer.Option(help="Status to start in.")] = (
        SuspectStatus.IDENTIFIED
    ),
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add a person to a case as a suspect."""
    with unit_of_work(data_dir) as (settings, session):
        sid = CaseRepository(session).add_suspect(
            case, person, role, status, actor_for(settings, user, agency), basis
        )
    console.print(f"suspect {sid}: person {person} in {case}, {status.value}")


@app.command("status")
def change_status(
    suspect: Annotated[int, typer.Argument(help="Suspect id.")],
    new: Annotated[SuspectStatus, typer.Argument(help="The new status.")],
    basis: BasisOption,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Move a suspect to a new status; the lifecycle refuses an illegal change."""
    with unit_of_work(data_dir) as (settings, session):
        view = CaseRepository(session).change_status(
            suspect, new, actor_for(settings, user, agency), basis
        )
    console.print(f"suspect {view.id} is now suspected and {view.status}")


@app.command("warrant")
def warrant(
    suspect: Annotated[int, typer.Argument(help="Suspect id.")],
    warrant_id: Annotated[str, typer.Argument(help="The warrant's id (from the wanted list).")],
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Attach a warrant to a suspect, which makes them a fugitive (wanted)."""
    with unit_of_work(data_dir) as (settings, session):
        view = CaseRepository(session).issue_warrant(
            suspect, warrant_id, actor_for(settings, user, agency)
        )
    console.print(f"suspect {view.id} is now {view.status} under warrant {warrant_id}")


@app.command("list")
def list_cases(data_dir: DataDirOption = None) -> None:
    """All cases with their number of suspects."""
    with unit_of_work(data_dir) as (_settings, session):
        repo = CaseRepository(session)
        table = Table("case", "title", "origin", "agency", "opened", "suspects")
        for c in repo.cases():
            table.add_row(
                c.reference,
                c.title,
                f"{c.origin} {c.origin_ref or ''}".strip(),
                c.agency,
                f"{c.opened_at:%Y-%m-%d}",
                str(len(repo.suspects(c.reference))),
            )
    console.print(table)


@app.command("show")
def show(
    case: Annotated[str, typer.Argument(help="Case reference.")],
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """A case's suspects with their status history (an audited access)."""
    with unit_of_work(data_dir) as (_settings, session):
        repo = CaseRepository(session)
        AuditLog(session).append(user, "case.read", case, {})
        table = Table("suspect", "person", "role", "status", "history")
        for s in repo.suspects(case):
            steps = " → ".join(
                f"{h.to_status} ({h.agency}, {h.legal_basis})" for h in repo.history(s.id)
            )
            table.add_row(str(s.id), str(s.person_id), s.role or "", s.status, steps)
    console.print(table)

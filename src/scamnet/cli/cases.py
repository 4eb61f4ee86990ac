"""``scamnet case``: cases and suspects, every status change through the lifecycle."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    casework,
    console,
    reading,
    settings_for,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Permission as Need
from scamnet.core.cases import CaseOrigin
from scamnet.core.membership import MIN_CONFIDENCE
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus

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
    min_confidence: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="From a group: the membership confidence a person needs to become a suspect; "
            "the others are listed to review.",
        ),
    ] = MIN_CONFIDENCE,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Open a case. From a group, its members above the threshold become suspects."""
    from scamnet.cases import suspects as cases

    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.CASES_WRITE)
        opened = cases.open_case(uow, actor, title, origin, ref,
                                 min_confidence)  # fmt: skip
    console.print(f"opened case [bold]{opened.reference}[/bold] with {opened.suspects} suspects")
    if opened.to_review:
        table = Table("person", "identifier", "role (suspected)", "confidence", "evidence",
                      title=f"{len(opened.to_review)} members below {min_confidence:.2f}: "
                            "to review, not made suspects")  # fmt: skip
        for m in opened.to_review:
            sure = "—" if m.confidence is None else f"{m.confidence:.2f}"
            table.add_row(str(m.person_id), m.node, m.role, sure, m.evidence)
        console.print(table)


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
    from scamnet.cases import suspects as cases

    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.CASES_WRITE)
        sid = cases.add_suspect(uow, actor, case, person, role, status, basis)
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
    from scamnet.cases import suspects as cases

    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.CASES_WRITE)
        view = cases.change_status(uow, actor, suspect, new, basis)
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
    from scamnet.cases import suspects as cases

    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.CASES_WRITE)
        view = cases.issue_warrant(uow, actor, suspect, warrant_id)
    console.print(f"suspect {view.id} is now {view.status} under warrant {warrant_id}")


@app.command("list")
def list_cases(
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The cases you may read (your agencies' and those shared with you), with their
    number of suspects."""
    from scamnet.cases.listing import list_cases

    settings = settings_for(data_dir)
    actor = actor_for(settings, user, agency, Need.CASES_READ)
    with reading(settings) as unit:
        found = list_cases(unit, actor)
    if as_json:
        print_json(found)
        return
    table = Table("case", "title", "origin", "agency", "opened", "suspects")
    for c in found:
        table.add_row(c.reference, c.title, f"{c.origin} {c.origin_ref or ''}".strip(), c.agency,
                      f"{c.opened_at:%Y-%m-%d %H:%M %Z}", str(c.suspects))  # fmt: skip
    console.print(table)


@app.command("show")
def show(
    case: Annotated[str, typer.Argument(help="Case reference.")],
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A case's suspects: names in every script, identifiers, nationality, role, status and
    history (an audited access)."""
    from scamnet.cases import suspects as cases

    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.CASES_READ)
        file = cases.read_case(uow, actor, case)
    if as_json:
        print_json(file)
        return
    table = Table("suspect", "person", "names", "nationality", "identifiers", "role", "status",
                  "history")  # fmt: skip
    for s in file.suspects:
        steps = " → ".join(f"{h.to_status} ({h.agency}, {h.legal_basis})" for h in s.history)
        table.add_row(
            str(s.suspect.id), str(s.suspect.person_id), " / ".join(n.text for n in s.person.names),
            s.person.nationality or "", ", ".join(i.graph_key for i in s.person.identifiers),
            s.suspect.role or "", s.suspect.status, steps,
        )  # fmt: skip
    console.print(f"[bold]{file.case.reference}[/bold] {file.case.title} ({file.case.agency})")
    console.print(table)

"""``scamnet operation``: targeted actions, their targets and outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from scamnet.cases import operations
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
from scamnet.core.cases import OutcomeKind, TargetKind

app = typer.Typer(help="Operations (raids, sweeps): targets and outcomes, counted in statistics.")

DateArg = Annotated[datetime, typer.Option("--on", help="ISO date.", formats=["%Y-%m-%d"])]


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Operation name.")],
    on: DateArg,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an operation starting on a date."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.OPERATIONS_WRITE)
        operations.create(uow, actor, name, on.date())
    console.print(f"operation {name} created")


@app.command("target")
def target(
    name: Annotated[str, typer.Argument(help="Operation name.")],
    kind: Annotated[TargetKind, typer.Argument(help="group, site or person.")],
    ref: Annotated[str, typer.Argument(help="Which one (id or name).")],
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add a target."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.OPERATIONS_WRITE)
        operations.target(uow, actor, name, kind, ref)
    console.print(f"{name}: target {kind.value} {ref}")


@app.command("outcome")
def outcome(
    name: Annotated[str, typer.Argument(help="Operation name.")],
    kind: Annotated[OutcomeKind, typer.Argument(help="site_closed or person_arrested.")],
    ref: Annotated[str, typer.Argument(help="Which site or person.")],
    on: DateArg,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Record an outcome."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.OPERATIONS_WRITE)
        operations.outcome(uow, actor, name, kind, ref, on.date())
    console.print(f"{name}: {kind.value} {ref}")


@app.command("list")
def list_operations(as_json: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """Operations with their targets and outcomes."""
    with casework(data_dir) as (_settings, uow):
        found = operations.list_operations(uow)
    if as_json:
        print_json(found)
        return
    table = Table("operation", "agency", "started", "targets", "outcomes")
    for op in found:
        table.add_row(
            op.name,
            op.agency,
            str(op.started_on),
            ", ".join(f"{k} {r}" for k, r in op.targets),
            ", ".join(f"{k} {r} ({d})" for k, r, d in op.outcomes),
        )
    console.print(table)

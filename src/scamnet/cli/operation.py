"""``scamnet operation``: targeted actions, their targets and outcomes."""

from __future__ import annotations

from datetime import date
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
from scamnet.core.cases import OutcomeKind, TargetKind
from scamnet.store.operations import OperationRepository

app = typer.Typer(help="Operations (raids, sweeps): targets and outcomes, counted in statistics.")

DateArg = Annotated[str, typer.Option("--on", help="ISO date.")]


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Operation name.")],
    on: DateArg,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an operation starting on a date."""
    with unit_of_work(data_dir) as (settings, session):
        OperationRepository(session).create(
            name, date.fromisoformat(on), actor_for(settings, user, agency)
        )
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
    with unit_of_work(data_dir) as (settings, session):
        OperationRepository(session).target(name, kind, ref, actor_for(settings, user, agency))
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
    with unit_of_work(data_dir) as (settings, session):
        OperationRepository(session).outcome(
            name, kind, ref, date.fromisoformat(on), actor_for(settings, user, agency)
        )
    console.print(f"{name}: {kind.value} {ref}")


@app.command("list")
def list_operations(data_dir: DataDirOption = None) -> None:
    """Operations with their targets and outcomes."""
    with unit_of_work(data_dir) as (_settings, session):
        table = Table("operation", "agency", "started", "targets", "outcomes")
        for op in OperationRepository(session).all():
            table.add_row(
                op.name,
                op.agency,
                str(op.started_on),
                ", ".join(f"{k} {r}" for k, r in op.targets),
                ", ".join(f"{k} {r} ({d})" for k, r, d in op.outcomes),
            )
    console.print(table)

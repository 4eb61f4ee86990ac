"""``scamnet network``: groups, their ringleaders and compounds, and exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Permission as Need
from scamnet.network import service
from scamnet.network.service import ExportFormat, GroupSummary

app = typer.Typer(
    help="Criminal networks: groups, roles, compounds (Leiden on the suspected subgraph)."
)


def print_groups(found: list[GroupSummary]) -> None:
    table = Table("group", "identifiers", "persons known", "ringleaders (suspected)", "compounds")
    for g in found:
        leaders = "\n".join(f"{role}: {name} ({score:.2f})" for role, name, score in g.leaders)
        sites = "\n".join(
            f"{s.latitude:.4f}, {s.longitude:.4f} ±{s.radius_km} km ({s.region})"
            for s in g.group.sites
        )
        table.add_row(f"{g.group.id} {g.group.name}", f"{g.group.size:,}",
                      f"{g.group.persons:,}", leaders, sites)  # fmt: skip
    console.print(table)


@app.command("groups")
def groups(
    user: UserOption = DEFAULT_USER, agency: AgencyOption = None, data_dir: DataDirOption = None
) -> None:
    """Find the groups (Leiden) in the subgraph grown from alerts and reports; save them."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_READ)
        result, _ids = service.run_groups(session, settings, actor)
        found = service.list_groups(session, actor)
    sub = result.subgraph
    console.print(
        f"suspected subgraph: {len(sub.nodes):,} nodes, {len(sub.edges[0]):,} ties; "
        f"{len(result.groups)} groups, {result.unattached:,} identifiers unattached"
    )
    print_groups(found)


@app.command("list")
def list_groups(
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The groups found by the last run, with their suspected ringleaders and compounds
    (an audited read: the ringleaders are named)."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_READ)
        found = service.list_groups(session, actor)
    if as_json:
        print_json(found)
        return
    print_groups(found)


@app.command("show")
def show(
    group: Annotated[int, typer.Argument(help="Group id.")],
    limit: Annotated[int, typer.Option(help="Members shown, ringleaders first.")] = 25,
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A group's members with roles, identifiers, persons, sites and the evidence (audited)."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_READ)
        file = service.read_group(session, actor, group)
    if as_json:
        print_json(file)  # every member: --limit shapes the table only
        return
    view = file.group
    title = f"{view.name}: {view.size:,} identifiers, {view.persons} persons known"
    table = Table("#", "identifier", "role (suspected)", "score", "person", "evidence", title=title)
    for m in file.members[:limit]:
        table.add_row(str(m.rank), m.node, m.role, f"{m.score:.2f}", m.person, m.evidence)
    console.print(table)
    roles: dict[str, int] = {}
    for m in file.members:
        roles[m.role] = roles.get(m.role, 0) + 1
    console.print("roles: " + ", ".join(f"{r} {c}" for r, c in sorted(roles.items())))
    for s in view.sites:
        console.print(
            f"site: {s.name} at {s.latitude:.5f}, {s.longitude:.5f} "
            f"± {s.radius_km} km ({s.country}, {s.region})"
        )


@app.command("export")
def export(
    group: Annotated[int, typer.Argument(help="Group id.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="graphml or cytoscape (JSON).")] = (
        ExportFormat.graphml
    ),
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write a group's subgraph (members, handsets, towers and their ties)."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_EXPORT)
        members, ties = service.export_group(session, settings, actor, group, fmt, out)
    console.print(f"wrote {out}: {members:,} members, {ties:,} ties")

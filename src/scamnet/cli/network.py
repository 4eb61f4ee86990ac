"""``scamnet network``: groups, their ringleaders and compounds, and exports."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    console,
    fail,
    settings_for,
    unit_of_work,
)
from scamnet.cli.engines import engine_for
from scamnet.lake import RecordLake
from scamnet.network.export import (
    ExportNode,
    group_edges,
    save_edges,
    write_cytoscape,
    write_graphml,
)
from scamnet.network.run import NetworkResult, find_networks
from scamnet.network.sites import Cell
from scamnet.network.subgraph import Seeds
from scamnet.store.audit import AuditLog
from scamnet.store.models import AlertRow, CellRow, PersonNameRow, VictimReportRow
from scamnet.store.network import GroupFound, NetworkRepository, NodeRole, SiteFound

app = typer.Typer(
    help="Criminal networks: groups, roles, compounds (Leiden on the suspected subgraph)."
)

ALERT_THRESHOLD = 0.5


def seeds_from(session: Session) -> Seeds:
    """Alerted numbers and accounts, and what victims reported."""
    seeds = Seeds()
    alerts = select(AlertRow.kind, AlertRow.subject, AlertRow.score).where(
        AlertRow.score >= ALERT_THRESHOLD,
        AlertRow.kind.in_(("subscriber", "account")),
        AlertRow.verdict.is_distinct_from("false_positive"),
    )
    for kind, subject, score in session.execute(alerts):
        target = seeds.phones if kind == "subscriber" else seeds.accounts
        target[subject] = f"{kind} alert, score {score:.2f}"
    for phone, account in session.execute(
        select(VictimReportRow.scammer_phone, VictimReportRow.scammer_account)
    ):
        if phone:
            seeds.phones.setdefault(phone, "named in a victim report")
        if account:
            seeds.accounts.setdefault(account, "named in a victim report")
        if phone and account:
            seeds.links.append((phone, account))
    return seeds


def cells_from(session: Session) -> tuple[dict[str, Cell], pa.Table]:
    rows = list(session.scalars(select(CellRow)))
    cells = {r.cell_id: Cell(r.lat, r.lon, r.country, r.region or "") for r in rows}
    table = pa.table(
        {
            "cell_id": [r.cell_id for r in rows],
            "lat": [r.lat for r in rows],
            "lon": [r.lon for r in rows],
            "country": [r.country for r in rows],
            "border": [bool(r.border) for r in rows],
        }
    )
    return cells, table


def to_found(result: NetworkResult) -> list[GroupFound]:
    sub = result.subgraph
    out = []
    for g in result.groups:
        members = [
            NodeRole(
                result.graph_key(m.node),
                sub.kinds[m.node],
                m.role,
                m.score,
                "; ".join(x for x in (sub.why[m.node], m.evidence) if x),
            )
            for m in sorted(g.members, key=lambda m: (-m.score, m.node))
        ]
        sites = [
            SiteFound(s.lat, s.lon, s.radius_km, s.country, s.region, s.share) for s in g.sites
        ]
        out.append(GroupFound(members, sites))
    return out


def edges_of(result: NetworkResult) -> dict[str, list[object]]:
    sub = result.subgraph
    src, dst, weight = sub.edges
    return {
        "source": [result.graph_key(int(i)) for i in src],
        "target": [result.graph_key(int(i)) for i in dst],
        "kind": sub.edge_kinds.tolist(),
        "weight": weight.tolist(),
    }


def run_groups(session: Session, data_dir: Path, user: str) -> tuple[NetworkResult, list[int]]:
    """Find the groups from what the store and the lake hold, and save them."""
    seeds = seeds_from(session)
    if not seeds.phones and not seeds.accounts:
        raise fail("no seeds: run `scamnet detect subscribers` or ingest victim reports first")
    cells, cell_table = cells_from(session)
    with engine_for(settings_for(data_dir)) as engine:
        engine.attach_lake(RecordLake(data_dir / "lake"))
        engine.register_arrow("cells", cell_table)
        result = find_networks(engine, seeds, cells)
    ids = NetworkRepository(session).save(to_found(result), user)
    save_edges(edges_of(result), data_dir / "network" / "edges.parquet")
    return result, ids


def print_groups(session: Session) -> None:
    names = _names(session)
    table = Table("group", "identifiers", "persons known", "ringleaders (suspected)", "compounds")
    for g in NetworkRepository(session).groups():
        leaders = "\n".join(
            f"{n.role}: {names.get(n.person_id or -1, n.node)} ({n.score:.2f})" for n in g.leaders
        )
        sites = "\n".join(
            f"{s.latitude:.4f}, {s.longitude:.4f} ±{s.radius_km} km ({s.region})" for s in g.sites
        )
        table.add_row(f"{g.id} {g.name}", f"{g.size:,}", f"{g.persons:,}", leaders, sites)
    console.print(table)


def _names(session: Session) -> dict[int, str]:
    rows = session.execute(
        select(PersonNameRow.person_id, PersonNameRow.text).order_by(PersonNameRow.position.desc())
    )
    return {pid: text for pid, text in rows}


@app.command("groups")
def groups(user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None) -> None:
    """Find the groups (Leiden) in the subgraph grown from alerts and reports; save them."""
    with unit_of_work(data_dir) as (settings, session):
        result, _ids = run_groups(session, settings.data_dir, user)
        sub = result.subgraph
        console.print(
            f"suspected subgraph: {len(sub.nodes):,} nodes, {len(sub.edges[0]):,} ties; "
            f"{len(result.groups)} groups, {result.unattached:,} identifiers unattached"
        )
        print_groups(session)


@app.command("show")
def show(
    group: Annotated[int, typer.Argument(help="Group id.")],
    limit: Annotated[int, typer.Option(help="Members shown, ringleaders first.")] = 25,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """A group's members with roles, identifiers, persons, sites and the evidence (audited)."""
    with unit_of_work(data_dir) as (_settings, session):
        repo = NetworkRepository(session)
        view = next((g for g in repo.groups() if g.id == group), None)
        if view is None:
            raise fail(f"no group {group}")
        nodes = repo.nodes(group)
        names = _names(session)
        AuditLog(session).append(user, "network.show", f"group:{group}", {})
    table = Table(
        "#",
        "identifier",
        "role (suspected)",
        "score",
        "person",
        "evidence",
        title=f"{view.name}: {view.size:,} identifiers, {view.persons} persons known",
    )
    for n in nodes[:limit]:
        table.add_row(
            str(n.rank),
            n.node,
            n.role,
            f"{n.score:.2f}",
            names.get(n.person_id or -1, ""),
            n.evidence,
        )
    console.print(table)
    roles: dict[str, int] = {}
    for n in nodes:
        roles[n.role] = roles.get(n.role, 0) + 1
    console.print("roles: " + ", ".join(f"{r} {c}" for r, c in sorted(roles.items())))
    for s in view.sites:
        console.print(
            f"site: {s.name} at {s.latitude:.5f}, {s.longitude:.5f} "
            f"± {s.radius_km} km ({s.country}, {s.region})"
        )


class ExportFormat(StrEnum):
    graphml = "graphml"
    cytoscape = "cytoscape"


@app.command("export")
def export(
    group: Annotated[int, typer.Argument(help="Group id.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="graphml or cytoscape (JSON).")] = (
        ExportFormat.graphml
    ),
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Write a group's subgraph (members, handsets, towers and their ties)."""
    with unit_of_work(data_dir) as (settings, session):
        nodes = NetworkRepository(session).nodes(group)
        if not nodes:
            raise fail(f"no group {group} (run `scamnet network groups`)")
        edges_file = settings.data_dir / "network" / "edges.parquet"
        if not edges_file.exists():
            raise fail("no saved subgraph: run `scamnet network groups` first")
        members = [ExportNode(n.node, n.kind, n.role, n.score, n.evidence) for n in nodes]
        edges = group_edges(edges_file, {n.node for n in nodes})
        AuditLog(session).append(
            user, "network.export", f"group:{group}", {"format": fmt.value, "nodes": len(members)}
        )
    writer = write_graphml if fmt is ExportFormat.graphml else write_cytoscape
    writer(members, edges, out)
    console.print(f"wrote {out}: {len(members):,} members, {len(edges):,} ties")

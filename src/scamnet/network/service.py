"""The network use cases: find the groups, read one, export one.

The CLI, the API and the benches call these; each takes the session it works in
(one transaction), and the reads of personal data are audited here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa
from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import DomainError, NotFound
from scamnet.engine import open_engine
from scamnet.lake import RecordLake
from scamnet.network.export import save_edges
from scamnet.network.run import NetworkResult, find_networks
from scamnet.network.sites import Cell
from scamnet.network.subgraph import Seeds
from scamnet.settings import Settings
from scamnet.store import lookup
from scamnet.store.audit import AuditLog
from scamnet.store.network import GroupView, NetworkRepository
from scamnet.store.seeds import SqlNetworkInputs

# An alert seeds the network at even odds or better; the detectors' scores are
# calibrated probabilities (docs/detect.md), so 0.5 is "more likely fraud than not".
ALERT_THRESHOLD = 0.5
SEED_KINDS = ("subscriber", "account")


class NoSeeds(DomainError):
    """Nothing to grow a network from."""


class NetworkInputs(Protocol):
    def alerts(self, kinds: tuple[str, ...], threshold: float) -> list[tuple[str, str, float]]: ...
    def reported(self) -> list[tuple[str | None, str | None]]: ...
    def cells(self) -> list[tuple[str, float, float, str, str, bool]]: ...
    def person_names(self) -> dict[int, str]: ...


def seeds_from(inputs: NetworkInputs) -> Seeds:
    """Alerted numbers and accounts (not refuted by an analyst), and what victims reported.

    The seeds keep each alert's score and each report: membership confidence weighs them.
    """
    seeds = Seeds()
    for kind, subject, score in inputs.alerts(SEED_KINDS, ALERT_THRESHOLD):
        seeds.alert(kind, subject, score)
    for phone, account in inputs.reported():
        seeds.report(phone, account)
    return seeds


def _cells(inputs: NetworkInputs) -> tuple[dict[str, Cell], pa.Table]:
    rows = inputs.cells()
    cells = {c: Cell(lat, lon, country, region) for c, lat, lon, country, region, _b in rows}
    names = ("cell_id", "lat", "lon", "country", "region", "border")
    table = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names) if n != "region"})
    return cells, table


def _edges(result: NetworkResult) -> dict[str, list[object]]:
    sub = result.subgraph
    src, dst, weight = sub.edges
    return {
        "source": [result.graph_key(int(i)) for i in src],
        "target": [result.graph_key(int(i)) for i in dst],
        "kind": sub.edge_kinds.tolist(),
        "weight": weight.tolist(),
    }


def run_groups(
    session: Session, settings: Settings, actor: Actor
) -> tuple[NetworkResult, list[int]]:
    """Find the groups from what the store and the lake hold, and save them."""
    inputs = SqlNetworkInputs(session)
    seeds = seeds_from(inputs)
    if not seeds.phones and not seeds.accounts:
        raise NoSeeds("no seeds: run `scamnet detect subscribers` or ingest victim reports first")
    cells, cell_table = _cells(inputs)
    with open_engine(settings) as engine:  # the engine the settings choose (SCAMNET_ENGINE)
        engine.attach_lake(RecordLake(settings.lake_dir))
        engine.register_arrow("cells", cell_table)
        result = find_networks(engine, seeds, cells)
    ids = NetworkRepository(session).save(result.found(), actor.user)
    save_edges(_edges(result), settings.network_edges_path)
    return result, ids


@dataclass(frozen=True, slots=True)
class GroupSummary:
    group: GroupView
    leaders: list[tuple[str, str, float]]  # role, name (or identifier), score


def list_groups(session: Session, actor: Actor) -> list[GroupSummary]:
    """Every saved group with its suspected ringleaders by name: an audited read."""
    groups = NetworkRepository(session).groups()
    # Only the ringleaders shown are named: no read of every person's name per listing.
    shown = sorted({n.person_id for g in groups for n in g.leaders if n.person_id is not None})
    names = {p.person_id: p.names[0] for p in lookup.persons_named(session, shown) if p.names}
    detail = {"agency": actor.agency, "groups": [g.id for g in groups]}
    AuditLog(session).append(actor.user, "network.list", "groups", detail)
    return [
        GroupSummary(
            g, [(n.role, names.get(n.person_id or -1, n.node), n.score) for n in g.leaders]
        )
        for g in groups
    ]


@dataclass(frozen=True, slots=True)
class GroupMember:
    rank: int
    node: str
    kind: str
    role: str
    score: float
    person: str  # the person's name when the identifier is known to belong to one
    evidence: str


@dataclass(frozen=True, slots=True)
class GroupFile:
    group: GroupView
    members: list[GroupMember]


def read_group(session: Session, actor: Actor, group_id: int) -> GroupFile:
    """A group's members with roles, persons, sites and evidence: an audited read."""
    repo = NetworkRepository(session)
    view = repo.group(group_id)
    if view is None:
        raise NotFound(f"no group {group_id} (run `scamnet network groups`)")
    names = SqlNetworkInputs(session).person_names()
    members = [
        GroupMember(n.rank, n.node, n.kind, n.role, n.score, names.get(n.person_id or -1, ""),
                    n.evidence)
        for n in repo.nodes(group_id)
    ]  # fmt: skip
    AuditLog(session).append(actor.user, "network.show", f"group:{group_id}",
                             {"agency": actor.agency, "why": actor.why})  # fmt: skip
    return GroupFile(view, members)


# The exports live in export_group.py; the names stay importable from here.
from scamnet.network.export_group import ExportFormat as ExportFormat  # noqa: E402
from scamnet.network.export_group import export_group as export_group  # noqa: E402

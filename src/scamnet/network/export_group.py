"""The export use cases of the network: a group's chart (GraphML, GEXF, Cytoscape.js,
i2) and the map of sites and cells (GeoJSON). Each respects the handling codes and is
audited as an export."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import networkx as nx
from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import NotFound
from scamnet.core.handling import DEFAULT_HANDLING, HandlingCode
from scamnet.interop.files import check_writable, writing
from scamnet.interop.handling import admit, code_of
from scamnet.network import export_i2
from scamnet.network.export import (
    ExportNode,
    cytoscape_text,
    gexf_text,
    graphml_text,
    group_edges,
    group_graph,
)
from scamnet.network.export_geo import CellPoint, SitePoint, geojson_text
from scamnet.network.subgraph import CELL_PREFIX
from scamnet.settings import Settings
from scamnet.store.audit import AuditLog
from scamnet.store.interop import InteropQueries
from scamnet.store.models import GroupRow
from scamnet.store.seeds import SqlNetworkInputs


class ExportFormat(StrEnum):
    graphml = "graphml"
    cytoscape = "cytoscape"
    gexf = "gexf"
    i2 = "i2"


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote: its files, how many nodes (or features) and ties, and how
    many records the handling ceiling left out."""

    paths: list[Path]
    nodes: int
    ties: int
    left_out: int = 0


def group_within(queries: InteropQueries, group_id: int, ceiling: HandlingCode) -> GroupRow:
    """The group, refused when its handling code is above ``ceiling``."""
    found = queries.groups(group_id)
    if not found:
        raise NotFound(f"no group {group_id} (run `scamnet network groups`)")
    code = code_of(found[0])
    if not code.within(ceiling):
        raise PermissionError(
            f"group {group_id} is handled {code.value}, above the export ceiling "
            f"{ceiling.value} (--handling)"
        )
    return found[0]


def export_group(
    session: Session,
    settings: Settings,
    actor: Actor,
    group_id: int,
    fmt: ExportFormat,
    out: Path,
    ceiling: HandlingCode = DEFAULT_HANDLING,
) -> Exported:
    """Write a group's chart; i2 writes a directory of two CSVs and a specification."""
    queries = InteropQueries(session)
    group = group_within(queries, group_id, ceiling)
    nodes = queries.nodes(group_id)
    if not nodes:
        raise NotFound(f"no group {group_id} (run `scamnet network groups`)")
    if not settings.network_edges_path.exists():
        raise NotFound("no saved subgraph: run `scamnet network groups` first")
    check_writable(out, directory=fmt is ExportFormat.i2)
    # A person above the ceiling stays out by name: their identifiers stay in the chart.
    shown = admit(queries.person_rows(n.person_id for n in nodes if n.person_id), ceiling)
    names = SqlNetworkInputs(session).person_names()
    allowed = {p.id for p in shown.kept}
    members = [
        ExportNode(
            n.node,
            n.role,
            n.score,
            n.evidence,
            names.get(n.person_id, "") if n.person_id in allowed else "",
        )
        for n in nodes
    ]
    edges = group_edges(settings.network_edges_path, {n.node for n in nodes})
    towers = {e[k] for e in edges for k in ("source", "target") if e[k].startswith(CELL_PREFIX)}
    places = {
        CELL_PREFIX + c.cell_id: (c.lat, c.lon)
        for c in queries.cells(t.removeprefix(CELL_PREFIX) for t in towers)
    }
    graph = group_graph(members, edges, places, f"{group.name} (suspected)")
    paths = _write(graph, fmt, out)
    detail = {
        "format": fmt.value,
        "nodes": graph.number_of_nodes(),
        "ties": len(edges),
        "paths": [str(p) for p in paths],
        "ceiling": ceiling.value,
        "left_out": shown.left_out,
        "agency": actor.agency,
    }
    AuditLog(session).append(actor.user, "network.export", f"group:{group_id}", detail)
    return Exported(paths, graph.number_of_nodes(), graph.number_of_edges(), shown.left_out)


def _write(graph: nx.MultiDiGraph, fmt: ExportFormat, out: Path) -> list[Path]:
    if fmt is ExportFormat.i2:
        out.mkdir(exist_ok=True)
        files = {
            export_i2.ENTITIES_FILE: export_i2.entities_csv(graph),
            export_i2.LINKS_FILE: export_i2.links_csv(graph),
            export_i2.SPEC_FILE: export_i2.specification(graph),
        }
        for name, text in files.items():
            with writing(out / name) as fh:
                fh.write(text)
        return [out / name for name in files]
    text = {
        ExportFormat.graphml: graphml_text,
        ExportFormat.gexf: gexf_text,
        ExportFormat.cytoscape: cytoscape_text,
    }[fmt](graph)
    with writing(out) as fh:
        fh.write(text)
    return [out]


def export_map(
    session: Session,
    settings: Settings,
    actor: Actor,
    out: Path,
    group_id: int | None = None,
    ceiling: HandlingCode = DEFAULT_HANDLING,
) -> Exported:
    """Write the sites (of one group, or all) and the cells as GeoJSON.

    With a group, the cells are the towers its members were seen on; without, every
    known cell. Sites of groups above the ceiling are left out.
    """
    queries = InteropQueries(session)
    groups = [group_within(queries, group_id, ceiling)] if group_id is not None else None
    check_writable(out)
    rows = queries.groups() if groups is None else groups
    kept = admit(rows, ceiling)
    names = {g.id: g.name for g in kept.kept}
    sites = [
        SitePoint(
            s.name,
            s.group_id,
            names[s.group_id],
            s.latitude,
            s.longitude,
            s.radius_km,
            s.country,
            s.region,
        )
        for s in queries.sites(group_id)
        if s.group_id in names
    ]
    towers: set[str] | None = None
    if group_id is not None:  # the towers its members were seen on (none before a run)
        keys = {n.node for n in queries.nodes(group_id)}
        edges = (
            group_edges(settings.network_edges_path, keys)
            if settings.network_edges_path.exists()
            else []
        )
        towers = {str(e["target"]).removeprefix(CELL_PREFIX) for e in edges if e["kind"] == "cell"}
    cells = [
        CellPoint(c.cell_id, c.lat, c.lon, c.country, c.region or "", bool(c.border))
        for c in queries.cells(towers)
    ]
    with writing(out) as fh:
        fh.write(geojson_text(sites, cells))
    detail = {
        "format": "geojson",
        "sites": len(sites),
        "cells": len(cells),
        "path": str(out),
        "ceiling": ceiling.value,
        "left_out": kept.left_out,
        "agency": actor.agency,
    }
    subject = f"group:{group_id}" if group_id is not None else "groups"
    AuditLog(session).append(actor.user, "network.export", subject, detail)
    return Exported([out], len(sites) + len(cells), 0, kept.left_out)

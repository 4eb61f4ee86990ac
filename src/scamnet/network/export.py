"""A group's subgraph as one graph, written for the tools analysts draw with: GraphML
(yEd, igraph), GEXF (Gephi) and Cytoscape.js JSON (Cytoscape Desktop's ``.cyjs``,
``networkx.cytoscape_graph``).

Every node has one type per identifier kind, named as core names it (``tel``,
``imei``, ``acct``, ``wallet``, ``url``, ``ip``, ``chat``), or ``cell`` for a tower;
a name (the person's, when the identifier is known to be theirs) and a role (``none``
for the handsets and towers tied to members). Cells carry their coordinates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scamnet.core.identifiers import IDENTIFIER_TYPES, Url
from scamnet.network.subgraph import CELL_PREFIX

CELL = "cell"
NO_ROLE = "none"  # a handset or a tower tied to members: in the chart, not in the group


@dataclass(frozen=True, slots=True)
class ExportNode:
    """A group member for export: its graph key, suspected role, score and evidence."""

    key: str
    role: str
    score: float
    evidence: str
    name: str = ""  # the person's name when the identifier is known to be theirs


EDGE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("target", pa.string()),
        ("kind", pa.string()),
        ("weight", pa.float64()),
    ]
)


def save_edges(rows: dict[str, list[Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(rows, schema=EDGE_SCHEMA), path)


def group_edges(path: Path, keys: set[str]) -> list[dict[str, Any]]:
    """The saved ties with both ends in ``keys`` (cells and handsets included when tied)."""
    table = pq.read_table(path)
    wanted = pa.array(sorted(keys), pa.string())
    # Filtered in Arrow before any row becomes a Python dict: a group is a small part.
    touched = pc.or_(pc.is_in(table["source"], value_set=wanted),
                     pc.is_in(table["target"], value_set=wanted))  # fmt: skip
    inside: list[dict[str, Any]] = table.filter(touched).to_pylist()
    # A handset or a tower belongs to the export when a member is tied to it.
    return [r for r in inside if r["source"] in keys or r["kind"] in ("device", "cell")]


@cache
def _kinds_by_prefix() -> dict[str, str]:
    # Core names each type's graph key; a URL's key is its registrable domain (dom:).
    prefixes = {kind: kind for kind in IDENTIFIER_TYPES}
    prefixes[Url.parse("http://example.com/").graph_key.split(":", 1)[0]] = Url.kind
    prefixes[CELL_PREFIX.rstrip(":")] = CELL
    return prefixes


def node_kind(key: str) -> str:
    """The node type of a graph key: core's identifier kind, or ``cell``."""
    prefix = key.split(":", 1)[0]
    try:
        return _kinds_by_prefix()[prefix]
    except KeyError:
        raise ValueError(f"{key!r} is no graph key of an identifier or a cell") from None


def node_label(key: str) -> str:
    """The identifier as written, without its graph-key prefix."""
    return key.split(":", 1)[1]


def group_graph(
    members: list[ExportNode],
    edges: list[dict[str, Any]],
    places: dict[str, tuple[float, float]],
    title: str = "",
) -> nx.MultiDiGraph:
    """The graph every format is written from. ``places`` gives cells' (lat, lon)."""
    graph = nx.MultiDiGraph(name=title)
    for n in members:
        graph.add_node(n.key, **_attrs(n.key, n.name, n.role, n.score, n.evidence, places))
    for e in edges:
        for key in (e["source"], e["target"]):
            if key not in graph:
                graph.add_node(key, **_attrs(key, "", NO_ROLE, 0.0, "", places))
    for i, e in enumerate(edges):
        graph.add_edge(
            e["source"], e["target"], key=f"e{i}", kind=e["kind"], weight=float(e["weight"])
        )
    return graph


def _attrs(
    key: str,
    name: str,
    role: str,
    score: float,
    evidence: str,
    places: dict[str, tuple[float, float]],
) -> dict[str, Any]:
    label = node_label(key)
    attrs: dict[str, Any] = {
        "kind": node_kind(key),
        "label": label,
        "name": name or label,
        "role": role,
        "score": round(float(score), 4),
        "evidence": evidence,
    }
    if key in places:  # only towers have a known place; absent, never a fake 0, 0
        attrs["lat"], attrs["lon"] = places[key]
    return attrs


def cytoscape(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape.js JSON, ``{elements: {nodes, edges}}``, as Cytoscape Desktop's ``.cyjs``
    reader and ``networkx.cytoscape_graph`` expect (each node's ``value`` is its id)."""
    nodes = [{"data": {"id": k, "value": k, **a}} for k, a in graph.nodes(data=True)]
    edges = [
        {"data": {"id": key, "key": key, "source": s, "target": t, **a}}
        for s, t, key, a in graph.edges(keys=True, data=True)
    ]
    return {
        "format_version": "1.0",
        "generated_by": "scamnet",
        "target_cytoscapejs_version": "~2.1",
        "data": {"name": graph.graph.get("name", "")},
        "directed": True,
        "multigraph": True,
        "elements": {"nodes": nodes, "edges": edges},
    }


def cytoscape_text(graph: nx.MultiDiGraph) -> str:
    return json.dumps(cytoscape(graph), ensure_ascii=False, indent=1)


def graphml_text(graph: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def gexf_text(graph: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_gexf(graph)) + "\n"

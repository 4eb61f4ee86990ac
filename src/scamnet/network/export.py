"""A group's subgraph as GraphML (Gephi, yEd, igraph) and as Cytoscape.js JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import igraph as ig
import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True, slots=True)
class ExportNode:
    key: str
    kind: str
    role: str
    score: float
    evidence: str


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
    rows: list[dict[str, Any]] = table.to_pylist()
    inside = [r for r in rows if r["source"] in keys or r["target"] in keys]
    # A handset or a tower belongs to the export when a member is tied to it.
    return [r for r in inside if r["source"] in keys or r["kind"] in ("device", "cell")]


def cytoscape(nodes: list[ExportNode], edges: list[dict[str, Any]]) -> dict[str, Any]:
    known = {n.key for n in nodes}
    extra = sorted({e[k] for e in edges for k in ("source", "target")} - known)
    elements = [
        {
            "data": {
                "id": n.key,
                "label": n.key.split(":", 1)[1],
                "kind": n.kind,
                "role": n.role,
                "score": round(n.score, 4),
                "evidence": n.evidence,
            }
        }
        for n in nodes
    ]
    elements += [
        {"data": {"id": k, "label": k.split(":", 1)[1], "kind": k.split(":", 1)[0]}} for k in extra
    ]
    elements += [
        {
            "data": {
                "id": f"e{i}",
                "source": e["source"],
                "target": e["target"],
                "kind": e["kind"],
                "weight": e["weight"],
            }
        }
        for i, e in enumerate(edges)
    ]
    return {"format_version": "1.0", "generated_by": "scamnet", "elements": elements}


def write_cytoscape(nodes: list[ExportNode], edges: list[dict[str, Any]], path: Path) -> None:
    path.write_text(
        json.dumps(cytoscape(nodes, edges), ensure_ascii=False, indent=1), encoding="utf-8"
    )


def write_graphml(nodes: list[ExportNode], edges: list[dict[str, Any]], path: Path) -> None:
    data = cytoscape(nodes, edges)["elements"]
    vertices = [e["data"] for e in data if "source" not in e["data"]]
    index = {v["id"]: i for i, v in enumerate(vertices)}
    links = [e["data"] for e in data if "source" in e["data"]]
    graph = ig.Graph(
        n=len(vertices),
        edges=[(index[e["source"]], index[e["target"]]) for e in links],
        directed=True,
    )
    # GraphML gives vertices ids of its own; the graph key travels as "key".
    graph.vs["key"] = [v["id"] for v in vertices]
    for attr in ("label", "kind"):
        graph.vs[attr] = [v[attr] for v in vertices]
    graph.vs["role"] = [v.get("role", "") for v in vertices]
    graph.vs["score"] = [float(v.get("score", 0.0)) for v in vertices]
    graph.vs["evidence"] = [v.get("evidence", "") for v in vertices]
    graph.es["kind"] = [e["kind"] for e in links]
    graph.es["weight"] = [float(e["weight"]) for e in links]
    graph.write_graphml(str(path))

"""A group's subgraph for drawing: the use case behind the web UI's network view.

A big group is drawn in two steps. The first answer holds the members and the ties
between them, and says how many ties lead out (to handsets, towers and numbers that
are no members): for the demo's largest group that is a quarter of the whole graph.
A member's outward ties come when the analyst opens it (``around``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import NotFound
from scamnet.network.export import group_edges, node_kind, node_label
from scamnet.settings import Settings
from scamnet.store.audit import AuditLog
from scamnet.store.network import NetworkRepository


def group_graph(
    session: Session, settings: Settings, actor: Actor, group_id: int, around: str | None = None
) -> dict[str, Any]:
    """A group's members and the ties between them as Cytoscape.js elements, or, with
    ``around`` (a member's graph key), that member's ties that lead out of the group
    and the nodes at their ends. An audited read.

    Without a saved subgraph (a store filled by another instance's run) the members
    are drawn without their ties.
    """
    nodes = NetworkRepository(session).nodes(group_id)
    if not nodes:
        raise NotFound(f"no group {group_id} (run `scamnet network groups`)")
    members = {n.node: n for n in nodes}
    if around is not None and around not in members:
        raise NotFound(f"{around!r} is no member of group {group_id}")
    path = settings.network_edges_path
    edges = group_edges(path, set(members)) if path.exists() else []
    inner = [e for e in edges if e["source"] in members and e["target"] in members]
    AuditLog(session).append(actor.user, "network.graph", f"group:{group_id}",
                             {"agency": actor.agency, "nodes": len(members),
                              "around": around})  # fmt: skip
    if around is None:
        elements = [_member(n.node, n.role, n.score) for n in nodes]
        return {"elements": elements + _edges(inner), "outward": len(edges) - len(inner)}
    outward = [e for e in edges if around in (e["source"], e["target"])
               and not (e["source"] in members and e["target"] in members)]  # fmt: skip
    ends = sorted({e[k] for e in outward for k in ("source", "target")} - set(members))
    elements = [{"data": {"id": k, "label": node_label(k), "kind": k.split(":", 1)[0]}}
                for k in ends]  # fmt: skip
    return {"elements": elements + _edges(outward)}


def _member(key: str, role: str, score: float) -> dict[str, Any]:
    # The evidence in words is on the members' list; the drawing needs role and score.
    return {"data": {"id": key, "label": node_label(key), "kind": node_kind(key),
                     "role": role, "score": round(score, 4)}}  # fmt: skip


def _edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # One tie per kind and ends, its weights summed (two reports naming the same pair are
    # saved as two rows); the id is built from them, so the two steps never draw a tie
    # twice.
    merged: dict[str, dict[str, Any]] = {}
    for e in edges:
        key = f"{e['kind']}|{e['source']}|{e['target']}"
        if key in merged:
            merged[key]["data"]["weight"] += e["weight"]
        else:
            merged[key] = {"data": {"id": key, "source": e["source"], "target": e["target"],
                                    "kind": e["kind"], "weight": e["weight"]}}  # fmt: skip
    return list(merged.values())

"""A group's subgraph for drawing: the use case behind the web UI's network view."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import NotFound
from scamnet.network.export import ExportNode, group_edges, node_kind, node_label
from scamnet.settings import Settings
from scamnet.store.audit import AuditLog
from scamnet.store.network import NetworkRepository


def group_graph(
    session: Session, settings: Settings, actor: Actor, group_id: int
) -> dict[str, Any]:
    """A group's members and ties as Cytoscape.js elements: an audited read.

    Without a saved subgraph (a store filled by another instance's run) the members
    are drawn without their ties.
    """
    nodes = NetworkRepository(session).nodes(group_id)
    if not nodes:
        raise NotFound(f"no group {group_id} (run `scamnet network groups`)")
    members = [ExportNode(n.node, n.role, n.score, n.evidence) for n in nodes]
    path = settings.network_edges_path
    edges = group_edges(path, {n.node for n in nodes}) if path.exists() else []
    AuditLog(session).append(actor.user, "network.graph", f"group:{group_id}",
                             {"agency": actor.agency, "nodes": len(members)})  # fmt: skip
    known = {m.key for m in members}
    extra = sorted({e[k] for e in edges for k in ("source", "target")} - known)
    elements: list[dict[str, Any]] = [
        {"data": {"id": m.key, "label": node_label(m.key), "kind": node_kind(m.key),
                  "role": m.role, "score": round(m.score, 4), "evidence": m.evidence}}
        for m in members
    ]  # fmt: skip
    elements += [
        {"data": {"id": k, "label": node_label(k), "kind": k.split(":", 1)[0]}} for k in extra
    ]
    elements += [
        {"data": {"id": f"e{i}", "source": e["source"], "target": e["target"],
                  "kind": e["kind"], "weight": e["weight"]}}
        for i, e in enumerate(edges)
    ]  # fmt: skip
    return {"elements": elements}

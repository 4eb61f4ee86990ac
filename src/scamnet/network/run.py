"""From seeds to groups: subgraph, communities, roles, sites."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from scamnet.engine.base import AnalyticsEngine
from scamnet.network.sites import Cell, SiteEstimate, estimate
from scamnet.network.structure import Member, communities, roles, structure
from scamnet.network.subgraph import Seeds, Subgraph, extract

MIN_GROUP = 5  # phones and accounts; smaller communities are reported as unattached

GRAPH_PREFIX = {"phone": "tel:", "device": "imei:", "account": "acct:", "cell": "cell:"}


@dataclass
class FoundGroup:
    label: int
    members: list[Member]  # ringleaders first
    devices: list[int]
    sites: list[SiteEstimate]

    def leaders(self, n: int = 3) -> list[Member]:
        return sorted(self.members, key=lambda m: (-m.score, m.node))[:n]


@dataclass
class NetworkResult:
    subgraph: Subgraph
    membership: np.ndarray
    groups: list[FoundGroup]
    unattached: int  # suspected identifiers in communities too small to be a group

    def graph_key(self, node: int) -> str:
        return GRAPH_PREFIX[self.subgraph.kinds[node]] + self.subgraph.nodes[node]


def find_networks(
    engine: AnalyticsEngine, seeds: Seeds, cells: dict[str, Cell], min_group: int = MIN_GROUP
) -> NetworkResult:
    sub = extract(engine, seeds)
    n = len(sub.nodes)
    membership = communities(n, *sub.edges) if n else np.zeros(0, np.int64)
    st = structure(n, sub.calls, sub.money)
    by_label: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(membership.tolist()):
        by_label[label].append(i)
    usage: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for phone, cell, calls in zip(*sub.cell_use, strict=True):
        usage[int(membership[phone])][sub.nodes[cell]] += float(calls)
    groups, unattached = [], 0
    for label, nodes in by_label.items():
        people = [i for i in nodes if sub.kinds[i] in ("phone", "account")]
        if len(people) < min_group:
            unattached += len(people)
            continue
        members = roles(np.array(people), sub.kinds, st)
        devices = [i for i in nodes if sub.kinds[i] == "device"]
        groups.append(FoundGroup(label, members, devices, estimate(usage[label], cells)))
    groups.sort(key=lambda g: (-len(g.members), g.label))
    return NetworkResult(sub, membership, groups, unattached)

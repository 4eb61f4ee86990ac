"""From seeds to groups: subgraph, communities, roles, membership confidence, sites."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from scamnet.core.entities import Group, GroupMember, Site
from scamnet.engine.base import AnalyticsEngine
from scamnet.network.chains import split_chains
from scamnet.network.membership import MIN_CONFIDENCE, Assessment, assess
from scamnet.network.sites import Cell, estimate
from scamnet.network.structure import Member, communities, roles, rooting_of, structure
from scamnet.network.subgraph import Seeds, Subgraph, extract

MIN_GROUP = 5  # phones and accounts; smaller communities are reported as unattached


@dataclass
class Community:
    """A Leiden community large enough to be a group, by node index of the subgraph.

    The working form of a group inside the network analysis; ``NetworkResult.found``
    turns it into the domain's ``Group``.
    """

    label: int
    members: list[Member]  # ringleaders first
    devices: list[int]
    sites: list[Site]
    assessed: dict[int, Assessment] = field(default_factory=dict)

    def leaders(self, n: int = 3) -> list[Member]:
        return sorted(self.members, key=lambda m: (-m.score, m.node))[:n]

    def confidence(self, node: int) -> float:
        return self.assessed[node].confidence if node in self.assessed else 0.0


@dataclass
class NetworkResult:
    subgraph: Subgraph
    membership: np.ndarray
    groups: list[Community]
    unattached: int  # suspected identifiers in communities too small to be a group
    keys: list[str] = field(default_factory=list)

    def graph_key(self, node: int) -> str:
        if not self.keys:
            self.keys = self.subgraph.graph_keys()
        return self.keys[node]

    def found(self) -> list[Group]:
        """The groups as the domain names them: members by graph key, ringleaders first,
        each with its role, leadership score, membership confidence and evidence."""
        sub = self.subgraph
        out = []
        for g in self.groups:
            members = []
            for m in sorted(g.members, key=lambda m: (-m.score, m.node)):
                a = g.assessed.get(m.node, Assessment(0.0, "confidence 0.00: not assessed"))
                words = "; ".join(x for x in (sub.why[m.node], m.evidence, a.evidence) if x)
                members.append(
                    GroupMember(
                        self.graph_key(m.node), sub.kinds[m.node], m.role, m.score, words,
                        a.confidence,
                    )
                )  # fmt: skip
            out.append(Group(members, list(g.sites), origin="network"))
        return out


def find_networks(
    engine: AnalyticsEngine, seeds: Seeds, cells: dict[str, Cell], min_group: int = MIN_GROUP
) -> NetworkResult:
    sub = extract(engine, seeds)
    n = len(sub.nodes)
    membership = communities(n, *sub.edges) if n else np.zeros(0, np.int64)
    # A boss is rooted in its group (structure.ROOTED): it is judged within its community.
    st = structure(n, sub.calls, sub.money, rooting_of(n, sub.calls, membership, sub.ties))
    # One group per chain of command (chains.py); the bosses are judged again in theirs.
    split = split_chains(membership, st, sub.calls, sub.edges)
    if (split != membership).any():
        membership = split
        st = structure(n, sub.calls, sub.money, rooting_of(n, sub.calls, membership, sub.ties))
    assessed = assess(sub, seeds, membership, st.level)
    by_label: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(membership.tolist()):
        by_label[label].append(i)
    # Each member's towers; numbers not sure to be members (a border resident, a
    # cloned handset) would pull a compound towards where they live.
    usage: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for phone, cell, calls in zip(*sub.cell_use, strict=True):
        if assessed[int(phone)].confidence >= MIN_CONFIDENCE:
            usage[int(membership[phone])][int(phone)][sub.nodes[cell]] = float(calls)
    groups, unattached = [], 0
    for label, nodes in by_label.items():
        people = [i for i in nodes if sub.kinds[i] in ("phone", "account")]
        if len(people) < min_group:
            unattached += len(people)
            continue
        members = roles(np.array(people), sub.kinds, st)
        devices = [i for i in nodes if sub.kinds[i] == "device"]
        groups.append(
            Community(
                label, members, devices, estimate(usage[label], cells),
                {i: assessed[i] for i in people},
            )
        )  # fmt: skip
    groups.sort(key=lambda g: (-len(g.members), g.label))
    return NetworkResult(sub, membership, groups, unattached)

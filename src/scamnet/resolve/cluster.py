"""From scored pairs to resolved persons: clusters that respect analysts'
judgements and keep their ids from one run to the next.

Clustering is greedy single linkage with cannot-link constraints: pairs are
joined from the most to the least likely, and a join that would put two records
an analyst judged "not the same" into one cluster is skipped. "Same" judgements
are joined first, whatever the model says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


class _Components:
    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {x: x for x in items}
        self.members = {x: {x} for x in self.parent}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, apart: dict[str, set[str]]) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        small, large = sorted((ra, rb), key=lambda r: len(self.members[r]))
        if any(apart.get(x, set()) & self.members[large] for x in self.members[small]):
            return False
        self.parent[small] = large
        self.members[large] |= self.members.pop(small)
        return True


def cluster(
    uids: Iterable[str],
    pairs: Iterable[tuple[str, str, float]],
    threshold: float,
    same: Iterable[tuple[str, str]] = (),
    not_same: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """Map each uid to a representative uid of its cluster."""
    comps = _Components(uids)
    apart: dict[str, set[str]] = {}
    for a, b in not_same:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
    for a, b in same:
        if a in comps.parent and b in comps.parent:
            comps.union(a, b, {})
    ranked = sorted((p for p in pairs if p[2] >= threshold), key=lambda p: (-p[2], p[0], p[1]))
    for a, b, _p in ranked:
        if a in comps.parent and b in comps.parent:
            comps.union(a, b, apart)
    return {x: comps.find(x) for x in comps.parent}


def stable_ids(
    clusters: dict[str, str], previous: dict[str, str], prefix: str = "RP"
) -> dict[str, str]:
    """Name each cluster, reusing the id most of its records had before.

    Bigger clusters choose first; a split keeps the old id on its larger part,
    a merge keeps the id of the part that brought most records, and a new
    cluster gets the next unused number.
    """
    groups: dict[str, list[str]] = {}
    for uid, rep in clusters.items():
        groups.setdefault(rep, []).append(uid)
    used = set(previous.values())
    numbers = [
        int(i.split("-")[1])
        for i in used
        if i.startswith(prefix + "-") and i.split("-")[1].isdigit()
    ]
    next_number = max(numbers, default=0) + 1
    taken: set[str] = set()
    out: dict[str, str] = {}
    for members in sorted(groups.values(), key=lambda m: (-len(m), min(m))):
        votes = Counter(previous[m] for m in members if m in previous)
        choice = next(
            (
                cid
                for cid, _n in sorted(votes.items(), key=lambda v: (-v[1], v[0]))
                if cid not in taken
            ),
            None,
        )
        if choice is None:
            choice = f"{prefix}-{next_number:06d}"
            next_number += 1
        taken.add(choice)
        for m in members:
            out[m] = choice
    return out

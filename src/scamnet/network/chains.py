"""One group per chain of command: a community that holds two chains is split.

Leiden groups numbers by how densely they are tied, not by who answers to whom.
Two groups whose operators live among the same people (operators who imitate
ordinary calling have contact lists like anybody's, and two groups' operators
in one province share friends) can end up in one community: a handful of pairs
with a few calls between them, and ordinary numbers that call into both, are
enough at a low resolution. One community then holds two ringleaders, each with
its organisers, and one top 3 can hold only part of either.

The chain of command says what the ties do not (``structure.chain_of_command``):
following each number's boss up the tiers, every number reaches the top of its
chain. A **chain** is a tree whose top stands at least ``CHAIN_LEVEL`` tiers
above the bottom: a ringleader, with organisers below it who have team leaders
below them. A tree topped by an organiser (two tiers) is no chain of its own:
when the ringleader's number is not in the subgraph, its organisers' trees are
joined by nothing but peer ties, yet they are one group (development world hard
101: splitting there at two tiers cut one group in two and its leaders in the
top 3 fell from 17 of 18 to 16). A community with two or more
chains whose tie weight between them is less than the weight of the command
calls that hold the lighter chain together (they are joined only by ties weaker
than command) is split into one group per chain; the community's other
identifiers (operators who report to no boss that is seen, accounts, handsets,
towers) go with the chain they are tied to most, through the community's ties.
Organisers whose ringleader is not seen form one more part together, rather
than crowding another ringleader's top 3 (development world hard 101 with its
communities merged on purpose, at a fifth of the resolution: without that part,
such a group's organisers took top-3 places of two other groups).
A chain with many peers stays one group; so do two chains that are tied more
strongly than they are commanded.
"""

from __future__ import annotations

import numpy as np

from scamnet.network.structure import MAX_LEVEL, Structure, upward

CHAIN_LEVEL = 3  # a ringleader: organisers below it, team leaders below them
ORPHAN_LEVEL = 2  # an organiser: team leaders below it


def chain_tops(label: np.ndarray, boss: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Each node's top: its boss's top while the boss is in its community and stands
    higher (levels strictly rise, so a cycle of bosses cannot form); itself otherwise."""
    n = len(label)
    up = np.arange(n)
    safe = np.maximum(boss, 0)
    link = (boss >= 0) & (label[safe] == label) & (level[safe] > level)
    up[link] = boss[link]
    for _ in range(MAX_LEVEL + 1):  # a chain is at most MAX_LEVEL + 1 tiers deep
        up = up[up]
    return up


def split_chains(
    label: np.ndarray,
    st: Structure,
    calls: tuple[np.ndarray, np.ndarray, np.ndarray],
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Community labels with every community of two or more weakly joined chains split.

    Args:
        label: each node's community (``structure.communities``).
        st: the chain of command found within those communities (``structure.structure``).
        calls: the directed calls between phones (``Subgraph.calls``).
        edges: the undirected weighted ties the communities were found on.

    Returns:
        A new label array; unsplit communities keep their labels, the parts of a split
        one take the old label (the part with the most command) and fresh ones.
    """
    n = len(label)
    out = label.copy()
    if n == 0:
        return out
    top = chain_tops(label, st.boss, st.level)
    chains = np.unique(top[st.level[top] >= CHAIN_LEVEL])
    if len(chains) < 2:
        return out
    # Command weight of each tree: the upward calls from a number to its boss inside it.
    ua, ub, unet = upward(n, *calls)
    command = (st.boss[ua] == ub) & (top[ua] == top[ub])
    held = np.bincount(top[ua[command]], weights=unet[command], minlength=n)
    orphans = np.unique(top[(st.level[top] >= ORPHAN_LEVEL) & (st.level[top] < CHAIN_LEVEL)])
    fresh = int(label.max()) + 1
    for community in np.unique(label[chains]):
        tops = chains[label[chains] == community]
        if len(tops) < 2:
            continue
        # Each chain a part; organisers whose ringleader is unseen, one part together.
        parts = {int(t): int(t) for t in tops}
        lost = orphans[label[orphans] == community]
        parts |= {int(t): int(lost.min()) for t in lost}
        parts = _joined(parts, top, held, edges)
        if len(set(parts.values())) < 2:
            continue
        nodes = np.flatnonzero(label == community)
        part = _spread(nodes, top, parts, edges)
        weight_of = {p: sum(held[t] for t in parts if parts[t] == p) for p in set(parts.values())}
        heaviest = max(sorted(weight_of), key=lambda p: weight_of[p])
        for p in sorted(weight_of):
            if p != heaviest:
                out[nodes[part == p]] = fresh
                fresh += 1
    return out


def _joined(
    parts: dict[int, int], top: np.ndarray, held: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[int, int]:  # fmt: skip
    """Parts (tops by part) merged, two at a time, while the ties between two weigh
    more than the command calls that hold the lighter one together."""
    src, dst, weight = edges
    tops = np.array(sorted(parts), dtype=np.int64)
    ends = np.isin(top[src], tops) & np.isin(top[dst], tops)
    a, b, w = top[src[ends]], top[dst[ends]], weight[ends]
    while True:
        of = np.zeros(len(top), dtype=np.int64)
        of[tops] = [parts[int(t)] for t in tops]
        pa, pb = of[a], of[b]
        between = pa != pb
        lo, hi = np.minimum(pa[between], pb[between]), np.maximum(pa[between], pb[between])
        pairs, inverse = np.unique(lo * len(top) + hi, return_inverse=True)
        tied = np.bincount(inverse, weights=w[between])
        strength = {p: sum(held[t] for t in parts if parts[t] == p) for p in set(parts.values())}
        strong = [
            divmod(int(pair), len(top))
            for pair, x in zip(pairs, tied, strict=True)
            if x > min(strength[int(pair) // len(top)], strength[int(pair) % len(top)])
        ]
        if not strong:
            return parts
        keep, gone = strong[0]
        parts = {t: keep if p == gone else p for t, p in parts.items()}


def _spread(
    nodes: np.ndarray, top: np.ndarray, parts: dict[int, int],
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:  # fmt: skip
    """The part of each of ``nodes``: its tree's, or the part it is tied to most
    through the community's ties, taken a step at a time; the largest part for a
    node no tie reaches."""
    src, dst, weight = edges
    where = np.full(len(top), -1, dtype=np.int64)
    where[nodes] = -2  # in the community, not placed yet
    keys = sorted(set(parts.values()))
    for t, p in parts.items():
        where[nodes[top[nodes] == t]] = keys.index(p)
    inside = (where[src] != -1) & (where[dst] != -1)
    a, b, w = src[inside], dst[inside], weight[inside]
    a, b, w = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([w, w])
    for _ in range(len(nodes)):
        open_ = (where[b] == -2) & (where[a] >= 0)
        if not open_.any():
            break
        pull = np.zeros((len(top), len(keys)))
        np.add.at(pull, (b[open_], where[a[open_]]), w[open_])
        reached = np.flatnonzero(pull.sum(axis=1) > 0)
        where[reached] = pull[reached].argmax(axis=1)
    placed = where[nodes]
    if (placed == -2).any():
        sizes = np.bincount(placed[placed >= 0], minlength=len(keys))
        placed[placed == -2] = int(sizes.argmax())
    return np.array([keys[p] for p in placed], dtype=np.int64)

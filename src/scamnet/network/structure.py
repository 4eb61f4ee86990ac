"""Groups as Leiden communities, and each member's role from the group's structure.

Everything here works on integer arrays, so that a graph of millions of edges
costs little beyond igraph's own Leiden:

- **command**: a call is "upward" when a number calls another more than it is
  called back by it (members call their team leader, team leaders their
  organiser). PageRank over the upward calls accumulates at the top of the chain
  of command: the mastermind above the organisers above the team leaders, even
  though a team leader is called by far more numbers.
- **bridging**: how many bosses (numbers with three or more subordinates) report
  to a number: an organiser ties several teams together.
- **money upward**: PageRank over the transfers, weighted by amount; an account
  that takes money from mule accounts and keeps most of it controls the money,
  one that passes most of it on is a mule.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np

RESOLUTION = 0.1  # below 1: groups are large and loosely tied (teams, handset pools, places)
BOSS_SUBORDINATES = 3
PASS_THROUGH = 0.8
ACCOUNT_WEIGHT = 0.3


def communities(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    resolution: float = RESOLUTION,
    seed: int = 0,
) -> np.ndarray:
    """Leiden (modularity) communities of the undirected weighted graph; one label per node."""
    graph = ig.Graph(n=n, edges=np.column_stack([src, dst]), directed=False)
    graph.es["weight"] = weight
    graph = graph.simplify(combine_edges="sum")
    ig.set_random_number_generator(random.Random(seed))  # noqa: S311 - reproducible partitions
    try:
        part = graph.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=-1,
        )
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(part.membership, dtype=np.int64)


@dataclass
class Structure:
    command: np.ndarray  # PageRank over upward calls
    subordinates: np.ndarray  # distinct numbers calling upward to the node
    bosses_below: np.ndarray  # subordinates that are bosses themselves
    money_rank: np.ndarray  # PageRank over transfers
    money_in: np.ndarray
    money_out: np.ndarray
    payers_in_set: np.ndarray  # distinct accounts of the subgraph paying in


def upward(n: int, a: np.ndarray, b: np.ndarray, calls: np.ndarray) -> tuple[np.ndarray, ...]:
    """The upward calls: (caller, callee, calls beyond the calls back) where positive."""
    if len(a) == 0:
        return a, b, calls
    key = a.astype(np.int64) * n + b
    order = np.argsort(key)
    sorted_key, sorted_calls = key[order], calls[order]
    back_key = b.astype(np.int64) * n + a
    pos = np.clip(np.searchsorted(sorted_key, back_key), 0, len(sorted_key) - 1)
    back = np.where(sorted_key[pos] == back_key, sorted_calls[pos], 0.0)
    net = calls - back
    up = net > 0
    return a[up], b[up], net[up]


def _pagerank(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(n)
    graph = ig.Graph(n=n, edges=np.column_stack([a, b]), directed=True)
    graph.es["weight"] = w
    return np.asarray(graph.pagerank(weights="weight"), dtype=float)


def structure(
    n: int,
    calls: tuple[np.ndarray, np.ndarray, np.ndarray],
    money: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> Structure:
    ua, ub, unet = upward(n, *calls)
    subordinates = np.bincount(ub, minlength=n)
    boss = subordinates >= BOSS_SUBORDINATES
    bosses_below = np.bincount(ub[boss[ua]], minlength=n) if len(ua) else np.zeros(n, np.int64)
    ma, mb, mw = money
    return Structure(
        command=_pagerank(n, ua, ub, unet),
        subordinates=subordinates,
        bosses_below=bosses_below,
        money_rank=_pagerank(n, ma, mb, mw),
        money_in=np.bincount(mb, weights=mw, minlength=n),
        money_out=np.bincount(ma, weights=mw, minlength=n),
        payers_in_set=np.bincount(mb, minlength=n),
    )


@dataclass(frozen=True, slots=True)
class Member:
    node: int
    role: str
    score: float  # leadership within the group, 1.0 for its top
    evidence: str


def roles(members: np.ndarray, kinds: list[str], s: Structure) -> list[Member]:
    """Roles of one group's phones and accounts, ringleaders first."""
    phones = [int(i) for i in members if kinds[i] == "phone"]
    accounts = [int(i) for i in members if kinds[i] == "account"]
    top_cmd = max((s.command[i] for i in phones), default=0.0) or 1.0
    top_money = max((s.money_rank[i] for i in accounts), default=0.0) or 1.0
    ranked = sorted(phones, key=lambda i: (-s.command[i], i))
    head = ranked[0] if ranked and s.subordinates[ranked[0]] > 0 else None
    out = []
    for i in ranked:
        if i == head:
            role = "mastermind"
        elif s.bosses_below[i] >= 1:
            role = "organiser"
        elif s.subordinates[i] >= BOSS_SUBORDINATES:
            role = "key_member"
        else:
            role = "member"
        out.append(Member(i, role, float(s.command[i] / top_cmd), _phone_evidence(i, s, top_cmd)))
    for i in sorted(accounts, key=lambda i: (-s.money_rank[i], i)):
        received, sent = s.money_in[i], s.money_out[i]
        if received > 0 and sent >= PASS_THROUGH * received:
            role = "money_mule"
        elif s.payers_in_set[i] >= 2 and sent > 0:
            role = "organiser"
        else:
            role = "member"
        # An account ranks below its group's bosses: who holds it is rarely known.
        weight = ACCOUNT_WEIGHT if role == "organiser" else 0.1 * ACCOUNT_WEIGHT
        out.append(
            Member(i, role, weight * float(s.money_rank[i] / top_money), _account_evidence(i, s))
        )
    return out


def _phone_evidence(i: int, s: Structure, top: float) -> str:
    parts = [f"command {s.command[i] / top:.2f} of the group's top"]
    if s.subordinates[i]:
        parts.append(f"{int(s.subordinates[i])} numbers call it more than it calls them back")
    if s.bosses_below[i]:
        parts.append(f"bridges {int(s.bosses_below[i])} teams (their bosses report to it)")
    return "; ".join(parts)


def _account_evidence(i: int, s: Structure) -> str:
    received, sent = s.money_in[i], s.money_out[i]
    parts = [f"receives {received:,.0f} from {int(s.payers_in_set[i])} group accounts"]
    if received:
        parts.append(f"passes on {100 * sent / received:.0f}%")
    elif sent:
        parts.append(f"sends {sent:,.0f} into the group")
    return "; ".join(parts)

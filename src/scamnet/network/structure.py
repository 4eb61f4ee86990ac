"""Groups as Leiden communities, and each member's role from the group's structure.

Everything here works on integer arrays, so that a graph of millions of edges
costs little beyond igraph's own Leiden:

- **command**: a call is "upward" when a number calls another more than it is
  called back by it (members call their team leader, team leaders their
  organiser). Each number's boss is the one it calls upward most; following the
  bosses gives the chain of command, and a number's **level** is how many tiers
  of it stand below: 1 for a team leader (three or more numbers report to it), 2
  for one that team leaders report to, 3 above that. The level ranks first, so a
  mastermind with two organisers below outranks a team leader called by ninety
  numbers; PageRank over the upward calls orders numbers within a level.
- **rooted in the group**: only a number at least ``ROOTED`` of whose ties
  (numbers it has three or more calls with, anywhere in the lake) are in its own
  community can be a boss. Running a team is a full-time line: a team leader's
  or an organiser's ties are mostly its subordinates and its own boss. An
  ordinary person whom several operators of the group call often (operators who
  imitate ordinary calling have friends too, and one friend can be the favourite
  of several) collects as many "subordinates" as a small team leader, but those
  ties are a small part of a life of family, friends and work. The bar is a
  third, not a half, because the group is seen only through its suspected
  numbers: operators' SIMs that were never alerted also call their boss but are
  not in the subgraph, so a real boss's visible share falls short of its true
  one (team leaders on hard worlds 201 and 204: 0.48-0.93; the ordinary people
  taken for bosses there: 0.06-0.13). A number that is not rooted keeps its
  callers and its rank, but is no tier of command, so its calls vouch for no
  membership either (``membership``).
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
from scipy import sparse

from scamnet.network.wording import counted

RESOLUTION = 0.1  # below 1: groups are large and loosely tied (teams, handset pools, places)
BOSS_SUBORDINATES = 3
MAX_LEVEL = 5  # deeper chains do not occur; the bound also stops a cycle of bosses
PASS_THROUGH = 0.8
ROOTED = 1 / 3  # the least share of a boss's ties that are with its own community
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
    lo, hi, total = undirected(n, src, dst, weight)
    graph = ig.Graph(n=n, edges=np.column_stack([lo, hi]), directed=False)
    graph.es["weight"] = total
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


def undirected(
    n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One tie per pair of nodes with the weights summed, loops dropped. In numpy,
    because igraph's own merging of parallel edges costs more than this sort."""
    keep = src != dst
    src, dst, weight = src[keep].astype(np.int64), dst[keep].astype(np.int64), weight[keep]
    pairs, inverse = np.unique(np.minimum(src, dst) * n + np.maximum(src, dst), return_inverse=True)
    return pairs // n, pairs % n, np.bincount(inverse, weights=weight)


@dataclass
class Structure:
    command: np.ndarray  # PageRank over upward calls
    subordinates: np.ndarray  # distinct numbers calling upward to the node
    bosses_below: np.ndarray  # subordinates that are bosses themselves
    money_rank: np.ndarray  # PageRank over transfers
    money_in: np.ndarray
    money_out: np.ndarray
    payers_in_set: np.ndarray  # distinct accounts of the subgraph paying in
    boss: np.ndarray  # the number each number calls upward most, -1 for none
    level: np.ndarray  # tiers of command below the number (0 for one nobody reports to)
    # Ties with the own community and ties in all, per number (``rooting_of``); None when
    # every number may be a boss.
    rooting: tuple[np.ndarray, np.ndarray] | None = None


def upward(n: int, a: np.ndarray, b: np.ndarray, calls: np.ndarray) -> tuple[np.ndarray, ...]:
    """The upward calls: (caller, callee, calls beyond the calls back) where positive.

    Each pair is put in canonical order with a sign for its direction; one sort
    (``np.unique``) then nets the two directions of every pair.
    """
    keep = a != b
    a, b, calls = a[keep].astype(np.int64), b[keep].astype(np.int64), calls[keep]
    if len(a) == 0:
        return a, b, calls.astype(float)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pairs, inverse = np.unique(lo * n + hi, return_inverse=True)
    net = np.bincount(inverse, weights=np.where(a < b, calls, -calls))
    lo, hi = pairs // n, pairs % n
    forward, backward = net > 0, net < 0
    return (
        np.concatenate([lo[forward], hi[backward]]),
        np.concatenate([hi[forward], lo[backward]]),
        np.concatenate([net[forward], -net[backward]]),
    )


def _pagerank(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    w: np.ndarray,
    damping: float = 0.85,
    tol: float = 1e-9,
    max_iter: int = 200,
) -> np.ndarray:
    """Weighted PageRank by power iteration on a sparse matrix (dangling mass spread evenly).

    The same definition as igraph's, without building an igraph graph: for millions of
    ties the graph construction would cost more than the ranking.
    """
    if len(a) == 0:
        return np.zeros(n)
    out = np.bincount(a, weights=w, minlength=n)
    step = sparse.csr_matrix((w / out[a], (b, a)), shape=(n, n))
    dangling = out == 0
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        spread = (damping * rank[dangling].sum() + 1.0 - damping) / n
        new = damping * (step @ rank) + spread
        if np.abs(new - rank).sum() < tol:
            return np.asarray(new)
        rank = new
    return np.asarray(rank)


def group_ties(n: int, calls: tuple[np.ndarray, np.ndarray, np.ndarray],
               label: np.ndarray) -> np.ndarray:  # fmt: skip
    """Per number: the numbers of its own community it shares a call tie with (either way)."""
    a, b, _ = calls
    inside = (a != b) & (label[a] == label[b])
    lo = np.minimum(a[inside], b[inside]).astype(np.int64)
    hi = np.maximum(a[inside], b[inside]).astype(np.int64)
    pairs = np.unique(lo * n + hi)
    return np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)


def rooting_of(
    n: int, calls: tuple[np.ndarray, np.ndarray, np.ndarray], label: np.ndarray, ties: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(ties with the own community, ties in all) per number, for ``structure``.

    Args:
        n: numbers of nodes.
        calls: the subgraph's directed calls (``Subgraph.calls``).
        label: each node's community.
        ties: each node's ties anywhere in the lake (``Subgraph.ties``); never fewer
            than its ties inside the community.
    """
    inside = group_ties(n, calls, label)
    return inside, np.maximum(ties, inside)


def structure(
    n: int,
    calls: tuple[np.ndarray, np.ndarray, np.ndarray],
    money: tuple[np.ndarray, np.ndarray, np.ndarray],
    rooting: tuple[np.ndarray, np.ndarray] | None = None,
) -> Structure:
    """Chain of command and money roles of the subgraph's numbers and accounts.

    Args:
        n: number of nodes.
        calls: directed calls between phones (caller, callee, count).
        money: directed transfers (source, target, amount).
        rooting: ties with the own community and ties in all (``rooting_of``): a number
            with fewer than ``ROOTED`` of its ties in its community is no boss. None
            lets every number be one.
    """
    ua, ub, unet = upward(n, *calls)
    subordinates = np.bincount(ub, minlength=n)
    eligible = None if rooting is None else rooting[0] >= ROOTED * rooting[1]
    boss = subordinates >= BOSS_SUBORDINATES
    if eligible is not None:
        boss &= eligible
    bosses_below = np.bincount(ub[boss[ua]], minlength=n) if len(ua) else np.zeros(n, np.int64)
    ma, mb, mw = money
    boss, level = chain_of_command(n, ua, ub, unet, eligible)
    return Structure(
        command=_pagerank(n, ua, ub, unet),
        subordinates=subordinates,
        bosses_below=bosses_below,
        money_rank=_pagerank(n, ma, mb, mw),
        money_in=np.bincount(mb, weights=mw, minlength=n),
        money_out=np.bincount(ma, weights=mw, minlength=n),
        payers_in_set=np.bincount(mb, minlength=n),
        boss=boss,
        level=level,
        rooting=rooting,
    )


def chain_of_command(
    n: int, ua: np.ndarray, ub: np.ndarray, unet: np.ndarray, eligible: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each number's boss (its strongest upward tie) and its level in the chain.

    Level 1 takes ``BOSS_SUBORDINATES`` direct reports; above that a number is one
    level higher than the highest boss reporting to it, so two organisers lift the
    mastermind above them, however few they are. A number not ``eligible`` (not
    rooted in its group) stays at level 0 and lifts nobody.
    """
    boss = np.full(n, -1, dtype=np.int64)
    if len(ua):
        order = np.lexsort((-unet, ua))  # by caller, strongest upward tie first
        first = np.ones(len(order), dtype=bool)
        first[1:] = ua[order][1:] != ua[order][:-1]
        boss[ua[order][first]] = ub[order][first]
    has = boss >= 0
    reports = np.bincount(boss[has], minlength=n)
    level = (reports >= BOSS_SUBORDINATES).astype(np.int64)
    if eligible is not None:
        level[~eligible] = 0
    for _ in range(MAX_LEVEL):
        bosses = has & (level >= 1)
        lifted = level.copy()
        np.maximum.at(lifted, boss[bosses], level[bosses] + 1)
        lifted = np.minimum(lifted, MAX_LEVEL)
        if eligible is not None:
            lifted[~eligible] = 0
        if (lifted == level).all():
            break
        level = lifted
    return boss, level


@dataclass(frozen=True, slots=True)
class Member:
    node: int
    role: str
    score: float  # leadership within the group, 1.0 for its top
    evidence: str


def roles(members: np.ndarray, kinds: list[str], s: Structure) -> list[Member]:
    """Roles of one group's phones and accounts, ringleaders first.

    Phones rank by level, then by command; the score is (level + command relative
    to the group's top) / (top level + 1), so 1.0 is the group's top.
    """
    phones = [int(i) for i in members if kinds[i] == "phone"]
    accounts = [int(i) for i in members if kinds[i] == "account"]
    top_cmd = max((s.command[i] for i in phones), default=0.0) or 1.0
    top_money = max((s.money_rank[i] for i in accounts), default=0.0) or 1.0
    ranked = sorted(phones, key=lambda i: (-s.level[i], -s.command[i], i))
    top_level = int(s.level[ranked[0]]) if ranked else 0
    head = ranked[0] if ranked and top_level >= 1 else None
    out = []
    for i in ranked:
        if i == head:
            role = "mastermind"
        elif s.level[i] >= 2:
            role = "organiser"
        elif s.level[i] >= 1:
            role = "key_member"
        else:
            role = "member"
        score = (s.level[i] + s.command[i] / top_cmd) / (top_level + 1)
        out.append(Member(i, role, float(score), _phone_evidence(i, s, top_cmd)))
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
    if s.level[i]:
        parts.append(f"{counted(s.level[i], 'tier of command', 'tiers of command')} below it")
    if s.subordinates[i]:
        callers = counted(s.subordinates[i], "number")
        verb = "calls" if int(s.subordinates[i]) == 1 else "call"
        parts.append(f"{callers} {verb} it more than it calls them back")
    if s.bosses_below[i]:
        parts.append(f"bridges {counted(s.bosses_below[i], 'team')} (their bosses report to it)")
    if s.rooting is not None and (s.level[i] or s.subordinates[i] >= BOSS_SUBORDINATES):
        inside, ties = int(s.rooting[0][i]), int(s.rooting[1][i])
        share = f"{inside:,} of its {counted(ties, 'contact')} are in the group"
        if not s.level[i]:
            share += ": called by the group, not its boss"
        parts.append(share)
    return "; ".join(parts)


def _account_evidence(i: int, s: Structure) -> str:
    received, sent = s.money_in[i], s.money_out[i]
    parts = [f"receives {received:,.0f} from {counted(s.payers_in_set[i], 'group account')}"]
    if received:
        parts.append(f"passes on {100 * sent / received:.0f}%")
    elif sent:
        parts.append(f"sends {sent:,.0f} into the group")
    return "; ".join(parts)

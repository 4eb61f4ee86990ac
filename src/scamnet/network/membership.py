"""How sure the network is that an identifier belongs to its group, and why, in words.

Leiden puts every suspected identifier in some community; that does not make it
a member. Each piece of evidence below is read as an independent chance that the
identifier is the group's, and they combine as a noisy-OR, 1 - Π(1 - pᵢ):

- a detector's alert: its calibrated score;
- victim reports naming it: ``REPORT`` each, since victims misname numbers (a
  contact who also called, a digit written down wrongly);
- calls in the group's chain of command: ``CALL_TIE`` for each group *member*
  it calls and is called back by, half that for one it only calls (or is called
  by) repeatedly, where one of the two is a boss (level 1 or more, see
  ``structure``). Calls between two numbers nobody reports to are social, not
  command: an operator who imitates ordinary calling has friends who call back.
  Before its call ties count as command, a boss must be rooted in the group: at
  least a third of the numbers it has call ties with are the group's
  (``structure.ROOTED``). A real boss talks mostly to its team; an ordinary
  person that several imitators call often has most of its ties outside, so it
  is no boss, and the imitators' calls with it vouch for nobody.
  Ties only vouch for what they tie to (calls, money and handsets alike): the
  members are first those the seeds alone make sure of, then those whose ties
  with members make them sure, and so on, so friends who call one another, or
  shoppers who pay a wrongly alerted merchant, vouch for nobody;

- money: ``MONEY`` for each group member it pays or is paid by;
- a shared handset: ``HANDSET`` at most, however many group members share it.
  Handsets are cloned and resold, so a shared one alone never reaches
  ``MIN_CONFIDENCE``. With an alert alone it is no tie to the group (below): a
  cloned or resold handset still reports the compound's SIMs, which is also what
  raises the alert on its new owner (the subscriber detector reads how many SIMs
  a handset carried), so the alert and the handset are one piece of evidence,
  not two. It is a tie when something the handset cannot have caused also
  points to the group: a victim report naming the number, the group's own
  towers (a clone's buyer or a resold handset's new owner calls from home, not
  from the compound), or no contacts outside the group (no number outside its
  community, anywhere in the lake, that it shares a call tie with, as
  ``structure.rooting_of`` counts them: the buyer's number is a person's, with
  friends and family; an operator's SIM in a relay box calls victims once each
  and nobody often). An operator's burnt SIMs share
  its handset with the SIM that calls its boss, and most never call the boss
  themselves: this is what ties them to the group;
- the group's towers: ``TOWER`` at most (border residents use them too).

A seed given only with its reason (no score, no report count) brings ``SEED``.
An alert or a report says an identifier is a scammer's, not that it is *this*
group's: without a call or money tie to the group (or a shared handset backed
as above), the confidence stays below ``UNTIED`` (a false alert on a border
resident who uses the compound's towers is not a member).
Members at or above the analyst's threshold are members; the rest are listed
"to review" (``split``), never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from scamnet.core.membership import MIN_CONFIDENCE as MIN_CONFIDENCE
from scamnet.core.membership import MemberSplit as MemberSplit
from scamnet.core.membership import split as split
from scamnet.network.structure import rooting_of
from scamnet.network.subgraph import Seeds, Subgraph
from scamnet.network.wording import counted

REPORT = 0.35
CALL_TIE = 0.3
MONEY = 0.45
HANDSET = 0.2
TOWER = 0.15
SEED = 0.5
UNTIED = 0.45  # the most an identifier with no call, money or backed handset tie can reach
# How a shared handset's words say whether it ties the identifier to the group.
HANDSET_TIE = (
    " (a tie, backed by a victim report, the group's towers or no contacts outside the group)"
)
HANDSET_UNTIED = (
    "a shared handset ties only with a victim report, the group's towers or no "
    "contacts outside the group"
)
ROUNDS = 6  # of vouching along the chain of command: a chain is never deeper
REPEATED = 2  # calls one way between two numbers that count as a tie without a call back


@dataclass(frozen=True, slots=True)
class Assessment:
    confidence: float
    evidence: str


def assess(
    sub: Subgraph, seeds: Seeds, membership: np.ndarray, level: np.ndarray
) -> dict[int, Assessment]:
    """The confidence of every phone and account of the subgraph in its own community.

    Args:
        sub: the subgraph.
        seeds: where it grew from, with the alerts' scores and the reports.
        membership: each node's community.
        level: each node's level in the chain of command (``Structure.level``).
    """
    n = len(sub.nodes)
    money_pairs = _pairs(n, sub.money[0], sub.money[1], membership)
    handset_pairs = _handset_pairs(sub, membership)
    towers = np.zeros(n, dtype=bool)
    cp, cc, _ = sub.cell_use
    towers[cp[membership[cp] == membership[cc]]] = True
    # Contacts (call ties anywhere in the lake) outside the own community: a person's
    # phone has some, a SIM that only works for the group has none.
    inside, every = rooting_of(n, sub.calls, membership, sub.ties)
    outside = every - inside
    people = [i for i, kind in enumerate(sub.kinds) if kind in ("phone", "account")]
    base = {i: _identity(sub.nodes[i], seeds) for i in people}
    # Ties vouch only for what they tie to. The first members are those the seeds
    # alone make sure of; calls, money and handsets shared with members then vouch
    # for others, until nothing changes (a mastermind is vouched for by organisers
    # whom team leaders vouch for, whom alerted operators vouch for). Once a
    # member, always one: the set only grows, so the rounds end.
    anchored = np.zeros(n, dtype=bool)
    anchored[[i for i in people if _combine(base[i], True).confidence >= MIN_CONFIDENCE]] = True
    out: dict[int, Assessment] = {}
    for _ in range(ROUNDS):
        mutual, one_way = _call_ties(n, *sub.calls, membership, level, anchored)
        money = _count(n, money_pairs, anchored)
        handsets = _count(n, handset_pairs, anchored)
        for i in people:
            items = list(base[i])
            ties = mutual[i] + 0.5 * one_way[i]
            if ties:
                words = (f"calls and is called back by {counted(mutual[i], 'group member')} "
                         "(chain of command)")  # fmt: skip
                if one_way[i]:
                    words += f", one-way calls with {one_way[i]:,} more"
                items.append((1 - (1 - CALL_TIE) ** ties, words))
            if money[i]:
                items.append(
                    (1 - (1 - MONEY) ** money[i], f"money with {counted(money[i], 'group member')}")
                )
            # A handset ties only with evidence it cannot have caused (module docstring).
            handset_tie = bool(handsets[i]) and bool(
                seeds.reports[sub.nodes[i]] or towers[i] or not outside[i]
            )
            if handsets[i]:
                shared = f"shares a handset with {counted(handsets[i], 'group member')}"
                items.append((HANDSET, shared + (HANDSET_TIE if handset_tie else "")))
            if towers[i]:
                items.append((TOWER, "uses the group's foreign or border towers"))
            out[i] = _combine(items, tied=bool(ties or money[i] or handset_tie))
        now = anchored.copy()
        now[[i for i in people if out[i].confidence >= MIN_CONFIDENCE]] = True
        if (now == anchored).all():
            break
        anchored = now
    return out


def _identity(node: str, seeds: Seeds) -> list[tuple[float, str]]:
    """What the seeds say about an identifier: alerts and reports."""
    items: list[tuple[float, str]] = []
    if node in seeds.scores:
        items.append((seeds.scores[node], f"alert score {seeds.scores[node]:.2f}"))
    if seeds.reports[node]:
        k = seeds.reports[node]
        items.append((1 - (1 - REPORT) ** k, f"named in {counted(k, 'victim report')}"))
    if node not in seeds.scores and not seeds.reports[node]:
        why = seeds.phones.get(node) or seeds.accounts.get(node)
        if why:
            items.append((SEED, f"a seed ({why})"))
    return items


def _combine(items: list[tuple[float, str]], tied: bool) -> Assessment:
    doubt = float(np.prod([1 - p for p, _ in items])) if items else 1.0
    confidence = round(1 - doubt, 3)
    words = "; ".join(w for _, w in sorted(items, key=lambda x: -x[0]))
    if len(items) == 1 and items[0][0] <= HANDSET:
        words += " (alone, not enough to make a member)"
    if items and not tied and confidence > UNTIED:
        confidence = UNTIED
        words += "; no call or money tie to the group"
        if any(w.startswith("shares a handset") for _, w in items):
            words += "; " + HANDSET_UNTIED
    return Assessment(confidence, f"confidence {confidence:.2f}: {words or 'no evidence'}")


def _call_ties(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    calls: np.ndarray,
    label: np.ndarray,
    level: np.ndarray,
    anchored: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per node: anchored group numbers it calls and is called back by; anchored group
    numbers with ``REPEATED`` or more calls in one direction only; a boss at one end."""
    inside = (a != b) & (label[a] == label[b]) & ((level[a] >= 1) | (level[b] >= 1))
    a, b, calls = a[inside].astype(np.int64), b[inside].astype(np.int64), calls[inside]
    keys = a * n + b
    back = np.isin(b * n + a, keys)
    mutual = np.bincount(a[back & anchored[b]], minlength=n)
    once = ~back & (calls >= REPEATED)
    one_way = np.bincount(a[once & anchored[b]], minlength=n)
    one_way += np.bincount(b[once & anchored[a]], minlength=n)
    return mutual, one_way


def _pairs(n: int, a: np.ndarray, b: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Distinct (node, partner) pairs of ties inside a community, both ways, as a * n + b."""
    inside = (a != b) & (label[a] == label[b])
    a, b = a[inside].astype(np.int64), b[inside].astype(np.int64)
    return np.unique(np.concatenate([a * n + b, b * n + a]))


def _count(n: int, pairs: np.ndarray, anchored: np.ndarray) -> np.ndarray:
    """Per node: partners that are members."""
    return np.bincount(pairs[anchored[pairs % n]] // n, minlength=n)


def _handset_pairs(sub: Subgraph, label: np.ndarray) -> np.ndarray:
    """(phone, other phone of its community seen on one of its handsets) pairs."""
    src, dst, _ = sub.edges
    device = sub.edge_kinds == "device"
    users: dict[int, set[int]] = defaultdict(set)
    for phone, handset in zip(src[device].tolist(), dst[device].tolist(), strict=True):
        users[handset].add(phone)
    n = len(sub.nodes)
    out = {
        p * n + q
        for ps in users.values()
        for p in ps
        for q in ps
        if q != p and label[q] == label[p]
    }
    return np.array(sorted(out), dtype=np.int64)

"""How sure the network is that an identifier belongs to its group, and why, in words.

Leiden puts every suspected identifier in some community; that does not make it
a member. Each piece of evidence below is read as an independent chance that the
identifier is the group's, and they combine as a noisy-OR, 1 - Π(1 - pᵢ):

- a detector's alert: its calibrated score;
- victim reports naming it: ``REPORT`` each, since victims misname numbers (a
  contact who also called, a digit written down wrongly);
- calls with the group: ``CALL_TIE`` for each group number it calls *and* is
  called back by, half that for one it only calls (or is called by) repeatedly;
- money: ``MONEY`` for each group account it pays or is paid by;
- a shared handset: ``HANDSET`` at most, however many group numbers share it.
  Handsets are cloned and resold, so a shared one alone never reaches
  ``MIN_CONFIDENCE``;
- the group's towers: ``TOWER`` at most (border residents use them too).

A seed given only with its reason (no score, no report count) brings ``SEED``.
Members at or above the analyst's threshold are members; the rest are listed
"to review" (``split``), never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from scamnet.core.entities import GroupMember
from scamnet.network.subgraph import Seeds, Subgraph

MIN_CONFIDENCE = 0.5
REPORT = 0.45
CALL_TIE = 0.3
MONEY = 0.45
HANDSET = 0.3
TOWER = 0.15
SEED = 0.5
REPEATED = 2  # calls one way between two numbers that count as a tie without a call back


@dataclass(frozen=True, slots=True)
class Assessment:
    confidence: float
    evidence: str


def assess(sub: Subgraph, seeds: Seeds, membership: np.ndarray) -> dict[int, Assessment]:
    """The confidence of every phone and account of the subgraph in its own community."""
    n = len(sub.nodes)
    mutual, one_way = _call_ties(n, *sub.calls, membership)
    money = _counterparts(n, sub.money[0], sub.money[1], membership)
    handsets = _shared_handsets(sub, membership)
    towers = np.zeros(n, dtype=bool)
    cp, cc, _ = sub.cell_use
    towers[cp[membership[cp] == membership[cc]]] = True
    out = {}
    for i, (node, kind) in enumerate(zip(sub.nodes, sub.kinds, strict=True)):
        if kind not in ("phone", "account"):
            continue
        items: list[tuple[float, str]] = []
        if node in seeds.scores:
            items.append((seeds.scores[node], f"alert score {seeds.scores[node]:.2f}"))
        if seeds.reports[node]:
            k = seeds.reports[node]
            items.append((1 - (1 - REPORT) ** k, f"named in {k} victim report{'s' * (k > 1)}"))
        if node not in seeds.scores and not seeds.reports[node]:
            why = seeds.phones.get(node) or seeds.accounts.get(node)
            if why:
                items.append((SEED, f"a seed ({why})"))
        ties = mutual[i] + 0.5 * one_way[i]
        if ties:
            words = f"calls and is called back by {mutual[i]} group numbers"
            if one_way[i]:
                words += f", one-way calls with {one_way[i]} more"
            items.append((1 - (1 - CALL_TIE) ** ties, words))
        if money[i]:
            items.append((1 - (1 - MONEY) ** money[i], f"money with {money[i]} group accounts"))
        if handsets[i]:
            items.append((HANDSET, f"shares a handset with {handsets[i]} group numbers"))
        if towers[i]:
            items.append((TOWER, "uses the group's foreign or border towers"))
        out[i] = _combine(items)
    return out


def _combine(items: list[tuple[float, str]]) -> Assessment:
    doubt = float(np.prod([1 - p for p, _ in items])) if items else 1.0
    confidence = round(1 - doubt, 3)
    alone = len(items) == 1 and items[0][0] <= HANDSET
    words = "; ".join(w for _, w in sorted(items, key=lambda x: -x[0]))
    if alone:
        words += " (alone, not enough to make a member)"
    return Assessment(confidence, f"confidence {confidence:.2f}: {words or 'no evidence'}")


def _call_ties(
    n: int, a: np.ndarray, b: np.ndarray, calls: np.ndarray, label: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per node: group numbers it calls and is called back by; group numbers with
    ``REPEATED`` or more calls in one direction only."""
    inside = (a != b) & (label[a] == label[b])
    a, b, calls = a[inside].astype(np.int64), b[inside].astype(np.int64), calls[inside]
    keys = a * n + b
    back = np.isin(b * n + a, keys)
    mutual = np.bincount(a[back], minlength=n)
    once = ~back & (calls >= REPEATED)
    one_way = np.bincount(a[once], minlength=n) + np.bincount(b[once], minlength=n)
    return mutual, one_way


def _counterparts(n: int, a: np.ndarray, b: np.ndarray, label: np.ndarray) -> np.ndarray:
    inside = (a != b) & (label[a] == label[b])
    a, b = a[inside].astype(np.int64), b[inside].astype(np.int64)
    pairs = np.unique(np.concatenate([a * n + b, b * n + a]))
    return np.bincount(pairs // n, minlength=n)


def _shared_handsets(sub: Subgraph, label: np.ndarray) -> np.ndarray:
    """Per phone: other phones of its community seen on one of its handsets."""
    src, dst, _ = sub.edges
    device = sub.edge_kinds == "device"
    users: dict[int, set[int]] = defaultdict(set)
    for phone, handset in zip(src[device].tolist(), dst[device].tolist(), strict=True):
        users[handset].add(phone)
    out = np.zeros(len(sub.nodes), dtype=np.int64)
    for phones in users.values():
        for p in phones:
            out[p] += sum(1 for q in phones if q != p and label[q] == label[p])
    return out


@dataclass(frozen=True, slots=True)
class MemberSplit:
    """A group's identifiers split at the analyst's threshold."""

    min_confidence: float
    members: list[GroupMember]
    to_review: list[GroupMember]

    def persons(self) -> dict[int, GroupMember]:
        """Persons known behind the members: each by their most confident identifier."""
        return _best_by_person(self.members)

    def persons_to_review(self) -> dict[int, GroupMember]:
        """Persons known only behind identifiers to review."""
        members = self.persons()
        return {p: m for p, m in _best_by_person(self.to_review).items() if p not in members}


def split(members: Iterable[GroupMember], min_confidence: float = MIN_CONFIDENCE) -> MemberSplit:
    """Members at or above ``min_confidence``, and the rest "to review".

    An identifier nobody assessed (confidence None, as in groups saved before
    confidences existed) is to review: it is never made a member by default.

    Raises:
        ValueError: when ``min_confidence`` is outside [0, 1].
    """
    if not 0 <= min_confidence <= 1:
        raise ValueError(f"a minimum confidence lies in [0, 1], got {min_confidence}")
    keep: list[GroupMember] = []
    review: list[GroupMember] = []
    for m in members:
        sure = m.confidence is not None and m.confidence >= min_confidence
        (keep if sure else review).append(m)
    return MemberSplit(min_confidence, keep, review)


def _best_by_person(members: list[GroupMember]) -> dict[int, GroupMember]:
    best: dict[int, GroupMember] = {}
    for m in members:
        if m.person_id is None:
            continue
        old = best.get(m.person_id)
        if old is None or (m.confidence or 0.0) > (old.confidence or 0.0):
            best[m.person_id] = m
    return best

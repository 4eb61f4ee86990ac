"""Pairwise evaluation of resolved clusters against the simulator's record links.

Every pair of records in one cluster is a predicted match, every pair with the
same true person a true match. Cross-script pairs join a 汉字 record (person
record, warrant) with a Latin one (manifest line).
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from pathlib import Path


def truth_key(uid: str) -> tuple[str, str]:
    """The (source, record id) of ``truth/record_links.csv`` for a resolution uid."""
    kind, _, rest = uid.partition(":")
    if kind == "person":
        return "persons", rest.split(":", 1)[1]
    return {"warrant": "wanted", "manifest": "handovers"}[kind], rest


def read_links(world: Path) -> dict[tuple[str, str], str]:
    with (world / "truth" / "record_links.csv").open(encoding="utf-8") as fh:
        return {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(fh)}


def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {p for g in groups.values() for p in itertools.combinations(sorted(g), 2)}


def cross_script(found: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in found if a.startswith("manifest:") != b.startswith("manifest:")}


def scores(pred: set[tuple[str, str]], true: set[tuple[str, str]]) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted pairs."""
    tp = len(pred & true)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(true) if true else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def pair_sets(
    clusters: dict[str, str], links: dict[tuple[str, str], str]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(predicted pairs, true pairs) over the records the truth knows."""
    predicted: dict[str, list[str]] = defaultdict(list)
    true: dict[str, list[str]] = defaultdict(list)
    for uid, cid in clusters.items():
        if truth_key(uid) in links:
            predicted[cid].append(uid)
            true[links[truth_key(uid)]].append(uid)
    return pairs(predicted), pairs(true)

"""One resolution run: train on the records, score the blocked pairs, cluster."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scamnet.core.description import SourceRecord
from scamnet.resolve import model as er_model
from scamnet.resolve.cluster import cluster, stable_ids
from scamnet.resolve.records import record_table

# Fellegi–Sunter's decision point: more likely the same person than not.
THRESHOLD = 0.5


@dataclass
class Resolution:
    clusters: dict[str, str]  # uid → stable cluster id
    pairs: list[er_model.Pair]
    model: dict[str, Any]
    changes: dict[str, int] = field(default_factory=dict)


def resolve(
    records: list[SourceRecord],
    previous: dict[str, str],
    same: list[tuple[str, str]],
    not_same: list[tuple[str, str]],
    threshold: float = THRESHOLD,
) -> Resolution:
    table = record_table(records)
    model = er_model.train(table)
    pairs = er_model.predict(model, table, threshold=min(threshold, 0.05))
    uids = table.column("uid").to_pylist()
    reps = cluster(
        uids, ((p.uid_l, p.uid_r, p.probability) for p in pairs), threshold, same, not_same
    )
    ids = stable_ids(reps, previous)
    before, after = set(previous.values()), set(ids.values())
    changes = {
        "records": len(ids),
        "clusters": len(after),
        "kept": len(after & before),
        "new": len(after - before),
        "gone": len(before - after),
    }
    return Resolution(ids, pairs, model, changes)

"""How hard is the world? A one-feature baseline against the ground truth.

Thresholding one feature (distinct callees) must not separate fraud from normal
subscribers well: the issue asks for a ROC-AUC between 0.75 and 0.9, so that
detection has to combine evidence. This module computes that figure.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC-AUC by the Mann–Whitney U statistic, with average ranks for ties."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=float)
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def subscriber_table(world_dir: Path) -> duckdb.DuckDBPyRelation:
    """Per calling subscriber: label and a few behavioural features, read from the CSVs."""
    con = duckdb.connect()
    calls = str(world_dir / "calls" / "calls-*.csv")
    truth = str(world_dir / "truth" / "subscribers.csv")
    # Messy rows are skipped here: this is a measurement of the world, not ingestion.
    con.execute(
        f"CREATE VIEW calls AS SELECT * FROM read_csv('{calls}', ignore_errors = true, "
        "columns = {'caller': 'VARCHAR', 'callee': 'VARCHAR', 'start': 'TIMESTAMPTZ', "
        "'duration_s': 'INTEGER', 'imei': 'VARCHAR', 'cell_id': 'VARCHAR'}, header = true)"
    )
    con.execute(f"CREATE VIEW truth AS SELECT * FROM read_csv('{truth}', header = true)")
    return con.sql(
        """
        WITH pairs AS (SELECT DISTINCT caller, callee FROM calls),
        back AS (
            SELECT p.caller, count(*) AS returned FROM pairs p
            JOIN pairs q ON q.caller = p.callee AND q.callee = p.caller GROUP BY 1
        ),
        out AS (
            SELECT caller, count(*) AS calls_out, count(DISTINCT callee) AS distinct_callees,
                   avg((duration_s < 30)::INT) AS short_ratio,
                   avg(starts_with(cell_id, '414')::INT) AS foreign_cell_ratio
            FROM calls GROUP BY 1
        )
        SELECT t.is_fraud, o.*, coalesce(b.returned, 0) / o.distinct_callees AS callback_ratio
        FROM out o JOIN truth t ON t.msisdn = o.caller LEFT JOIN back b ON b.caller = o.caller
        """
    )


def one_feature_auc(world_dir: Path) -> float:
    """ROC-AUC of 'distinct callees' alone as the fraud score."""
    return distinct_callees_auc(subscriber_table(world_dir).fetchnumpy())


def distinct_callees_auc(data: dict[str, np.ndarray]) -> float:
    """The same figure from a table already read (``subscriber_table(...).fetchnumpy()``)."""
    return roc_auc(data["is_fraud"].astype(int), data["distinct_callees"].astype(float))

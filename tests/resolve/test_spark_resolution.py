"""Entity resolution on Splink's Spark backend gives DuckDB's persons.

The same settings (one SQL text, rendered by Splink for each backend) are
trained and applied on each engine over the same person records, warrants and
manifest lines of a simulated world; the clusters must be the same partition.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa
import pytest

from scamnet.engine import AnalyticsEngine, open_engine
from scamnet.resolve import model as er_model
from scamnet.resolve.records import SourceRecord, record_table
from scamnet.resolve.run import Resolution, resolve
from scamnet.store import Store
from scamnet.store.resolution import source_records
from tests.resolve.conftest import World

pytestmark = pytest.mark.slow  # a JVM, and Splink's pipeline is many Spark jobs


def _records(world: World) -> list[SourceRecord]:
    store = Store(f"sqlite:///{world.data_dir / 'scamnet.db'}")
    with store.session() as s:
        records = source_records(s)
    store.dispose()
    return records


def _partition(clusters: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for uid, cid in clusters.items():
        groups[cid].add(uid)
    return {frozenset(g) for g in groups.values()}


@dataclass(frozen=True)
class Both:
    records: list[SourceRecord]
    duckdb: Resolution
    spark: Resolution


@pytest.fixture(scope="module")
def both(spark_engine: AnalyticsEngine, people_world: World) -> Both:
    """One resolution of the world's records on each engine (Splink's pipeline on
    Spark is many small jobs: run it once for the module)."""
    records = _records(people_world)
    on_duckdb = resolve(records, {}, [], [])
    with open_engine("spark") as spark:
        on_spark = resolve(records, {}, [], [], engine=spark)
    return Both(records, on_duckdb, on_spark)


def test_spark_clusters_equal_duckdb_clusters(both: Both) -> None:
    assert both.spark.model["sql_dialect"] == "spark"
    assert both.duckdb.model["sql_dialect"] == "duckdb"
    merged = [g for g in _partition(both.duckdb.clusters) if len(g) > 1]
    assert len(merged) > 20  # the world has people named in several sources
    assert _partition(both.spark.clusters) == _partition(both.duckdb.clusters)


def test_the_learnt_weights_are_close(both: Both) -> None:
    # u comes from a random sample of pairs, drawn by each backend's own generator,
    # and EM starts from it: close, not equal. What a level says is its weight of
    # evidence, log2(m/u); the two engines agree on it within half a bit (measured:
    # a 4-11% difference in one u, 0.06-0.16 bits).
    for a, b in zip(both.duckdb.model["comparisons"], both.spark.model["comparisons"],
                    strict=True):  # fmt: skip
        for la, lb in zip(a["comparison_levels"], b["comparison_levels"], strict=True):
            if "m_probability" in la and "u_probability" in la:
                wa = math.log2(la["m_probability"] / la["u_probability"])
                wb = math.log2(lb["m_probability"] / lb["u_probability"])
                assert abs(wa - wb) < 0.5, (la.get("label_for_charts"), wa, wb)


def test_a_model_trained_on_duckdb_scores_on_spark(both: Both) -> None:
    table = record_table(both.records)
    query = record_table([both.records[0]]).set_column(0, "uid", pa.array(["query:1"]))
    on_duckdb = er_model.match(both.duckdb.model, table, query, limit=3)
    with open_engine("spark") as spark:
        on_spark = er_model.match(both.duckdb.model, table, query, limit=3, engine=spark)
    assert on_duckdb and [p.uid_r for p in on_spark] == [p.uid_r for p in on_duckdb]
    assert [p.reasons for p in on_spark] == [p.reasons for p in on_duckdb]
    assert [p.probability for p in on_spark] == pytest.approx([p.probability for p in on_duckdb])

"""The analytics-engine interface on DuckDB, and choosing the engine."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scamnet.engine import Relation, open_engine
from scamnet.engine.base import MissingExtra
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from tests.lake.test_layout import calls


@pytest.fixture
def lake(tmp_path: Path) -> RecordLake:
    lake = RecordLake(tmp_path / "lake")
    lake.write(RecordKind.CALLS, calls(6))
    return lake


def test_views_over_the_lake_answer_sql(lake: RecordLake) -> None:
    with open_engine("duckdb") as engine:
        engine.attach_lake(lake)
        per_day = engine.sql(
            "SELECT CAST(start AS DATE) AS d, count(*) AS n, sum(duration_s) AS s "
            "FROM calls GROUP BY 1 ORDER BY 1"
        )
        assert isinstance(per_day, Relation)
        rows = engine.fetch(per_day)
        assert [(str(r["d"]), r["n"], r["s"]) for r in rows] == [
            ("2023-11-17", 2, 1),
            ("2023-11-18", 4, 14),
        ]
        assert engine.count(engine.table("calls")) == 6
        assert engine.fetch(engine.table("calls"), limit=2)[0]["caller"] == "+8613800138000"


def test_empty_kinds_have_empty_views(lake: RecordLake) -> None:
    with open_engine("duckdb") as engine:
        engine.attach_lake(lake)
        assert engine.count(engine.table("transfers")) == 0
        assert "amount" in engine.to_arrow(engine.table("transfers")).column_names


def test_results_stay_in_the_engine_until_written(lake: RecordLake, tmp_path: Path) -> None:
    with open_engine("duckdb") as engine:
        engine.attach_lake(lake)
        rel = engine.sql("SELECT callee, duration_s FROM calls WHERE duration_s > 2")
        out = tmp_path / "out" / "long.parquet"
        engine.write_parquet(rel, out)
    table = pq.read_table(out)
    assert table.num_rows == 3
    assert isinstance(table, pa.Table)


def test_relation_names_must_be_plain_identifiers() -> None:
    with pytest.raises(ValueError, match="identifier"):
        Relation("calls; DROP TABLE x")


def test_unknown_and_missing_engines_say_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        open_engine("oracle")
    # An installation without the [spark] extra: importing pyspark fails.
    for name in [m for m in sys.modules if m.startswith("scamnet.engine.spark")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(MissingExtra, match=r"scamnet\[spark\].*pyspark is missing"):
        open_engine("spark")


def test_the_settings_choose_the_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCAMNET_ENGINE", "duckdb")
    with open_engine(Settings.from_env(tmp_path)) as engine:
        assert engine.name == "duckdb"
    monkeypatch.setenv("SCAMNET_ENGINE", "Oracle")
    with pytest.raises(ValueError, match=r"unknown engine 'oracle' .*duckdb, spark"):
        open_engine(Settings.from_env(tmp_path))
    monkeypatch.delenv("SCAMNET_ENGINE")
    monkeypatch.setenv("SCAMNET_SPARK_MASTER", "spark://10.0.0.1:7077")
    settings = Settings.from_env(tmp_path)
    assert (settings.engine, settings.spark_master) == ("duckdb", "spark://10.0.0.1:7077")

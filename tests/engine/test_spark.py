"""The analytics-engine interface on a local Spark, and Spark chosen by configuration."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.engine import AnalyticsEngine, open_engine
from scamnet.lake import RecordKind, RecordLake
from tests.engine.conftest import World
from tests.engine.test_spark_equivalence import same_table
from tests.lake.test_layout import calls

pytestmark = pytest.mark.slow  # a JVM, and each query is a Spark job

runner = CliRunner()


def test_views_over_the_lake_answer_the_same_sql(
    spark_engine: AnalyticsEngine, tmp_path: Path
) -> None:
    lake = RecordLake(tmp_path / "lake")
    lake.write(RecordKind.CALLS, calls(6))
    query = (
        "SELECT CAST(start AS DATE) AS d, count(*) AS n, sum(duration_s) AS s, "
        "max(epoch(start))::BIGINT AS last FROM calls GROUP BY 1 ORDER BY 1"
    )
    answers = []
    for name in ("duckdb", "spark"):
        with open_engine(name) as engine:
            engine.attach_lake(lake)
            answers.append(engine.fetch(engine.sql(query)))
            assert engine.count(engine.table("transfers")) == 0  # no data: an empty view
            assert "amount" in engine.to_arrow(engine.table("transfers")).column_names
    assert answers[0] == answers[1]
    assert [(str(r["d"]), r["n"]) for r in answers[1]] == [("2023-11-17", 2), ("2023-11-18", 4)]


def test_written_parquet_is_one_file_with_instants_in_utc(
    spark_engine: AnalyticsEngine, tmp_path: Path
) -> None:
    lake = RecordLake(tmp_path / "lake")
    lake.write(RecordKind.CALLS, calls(6))
    with open_engine("spark") as engine:
        engine.attach_lake(lake)
        rel = engine.sql("SELECT callee, start FROM calls WHERE duration_s > 2")
        engine.write_parquet(rel, tmp_path / "out" / "long.parquet")
        engine.write_parquet_dir(rel, tmp_path / "parts")
        engine.write_parquet_dir(engine.sql("SELECT 1 AS one"), tmp_path / "parts")  # replaces
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["long.parquet"]
    table = pq.read_table(tmp_path / "out" / "long.parquet")
    assert table.num_rows == 3
    assert table.schema.field("start").type == pa.timestamp("us", tz="UTC")
    expected = pq.read_table(lake.files(RecordKind.CALLS)).column("start").to_pylist()
    assert set(table.column("start").to_pylist()) <= set(expected)
    parts = list((tmp_path / "parts").iterdir())
    assert parts and all(p.suffix == ".parquet" for p in parts)
    assert pq.read_table(parts).column_names == ["one"]


def test_each_engine_has_its_own_views_on_one_jvm(spark_engine: AnalyticsEngine) -> None:
    with open_engine("spark") as first, open_engine("spark") as second:
        first.register_arrow("t", pa.table({"x": [1, 2]}))
        second.register_arrow("t", pa.table({"x": [5]}))
        assert first.count(first.table("t")) == 2
        assert second.count(second.table("t")) == 1


def _env(data_dir: Path, engine: str) -> dict[str, str]:
    return {"SCAMNET_ENGINE": engine, "SCAMNET_DATA_DIR": str(data_dir), "COLUMNS": "200"}


def test_features_command_on_spark_writes_duckdbs_table(
    spark_engine: AnalyticsEngine, world: World, tmp_path: Path
) -> None:
    days = RecordLake(world.lake).days(RecordKind.CALLS)
    tables = []
    for engine in ("duckdb", "spark"):
        data = tmp_path / engine
        data.mkdir()
        (data / "lake").symlink_to(world.lake)
        out = tmp_path / f"{engine}.parquet"
        result = runner.invoke(
            app,
            ["features", "subscribers", "--from", days[5], "--to", days[5],
             "--lookback-days", "0", "--out", str(out)],
            env=_env(data, engine),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        tables.append(pq.read_table(out))
    assert tables[0].num_rows > 500
    same_table(tables[0], tables[1], "msisdn")


def test_a_missing_spark_is_one_line_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in [m for m in sys.modules if m.startswith("scamnet.engine.spark")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = runner.invoke(
        app,
        ["features", "subscribers", "--from", str(date(2023, 10, 1)), "--to", "2023-10-02"],
        env=_env(tmp_path, "spark"),
    )
    assert result.exit_code == 2
    assert "pip install 'scamnet[spark]'" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(
        app, ["features", "subscribers", "--from", "2023-10-01", "--to", "2023-10-02"],
        env=_env(tmp_path, "oracle"),
    )  # fmt: skip
    assert result.exit_code == 2 and "unknown engine 'oracle'" in result.output

"""Spark computes what DuckDB computes: the subscriber features and the suspected
subgraph on the same simulated world, and the edge cases where engines differ
most easily (messages-only subscribers, empty days, time zones, NULL and NaN).

Every test runs the same definitions on both engines and compares the results
value by value; none compares against a stored answer, so a feature that breaks
on one engine only fails here.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from scamnet.engine import AnalyticsEngine, open_engine
from scamnet.engine.features.subscribers import CELL_REF, SubscriberFeatures
from scamnet.lake import SCHEMAS, RecordKind, RecordLake
from scamnet.network.service import seeds_from
from scamnet.network.subgraph import Subgraph, extract
from scamnet.store.seeds import SqlNetworkInputs
from tests.engine.conftest import World
from tests.engine.test_subscriber_features import CELLS, call

pytestmark = pytest.mark.slow  # a JVM, and each query is a Spark job

A, B, C = "+8613800138001", "+8613800138002", "+8613800138003"


def same_table(left: pa.Table, right: pa.Table, key: str) -> None:
    """Equal column by column, rows matched on ``key``: NULL only where NULL, NaN only
    where NaN, integers exactly and floating point to the last bits of rounding."""
    assert left.column_names == right.column_names
    assert left.num_rows == right.num_rows
    order = [(key, "ascending")]
    a, b = left.sort_by(order).to_pydict(), right.sort_by(order).to_pydict()
    assert a[key] == b[key]
    for col in left.column_names:
        for k, x, y in zip(a[key], a[col], b[col], strict=True):
            if x is None or y is None:
                assert x is None and y is None, (col, k, x, y)
            elif isinstance(x, float) or isinstance(y, float):
                assert math.isnan(x) == math.isnan(y), (col, k, x, y)
                assert math.isnan(x) or x == pytest.approx(y, rel=1e-12, abs=1e-12), (col, k)
            else:
                assert x == y, (col, k, x, y)


def features(engine: AnalyticsEngine, lake: Path, root: Path, start: date, end: date,
             cells: pa.Table = CELLS, timezone: str = "Asia/Shanghai",
             lookback_days: int = 7) -> pa.Table:  # fmt: skip
    feats = SubscriberFeatures(engine, RecordLake(lake), root, cells, timezone=timezone)
    return engine.to_arrow(feats.compute(start, end, lookback_days=lookback_days))


def on_both(spark: AnalyticsEngine, lake: Path, tmp: Path, start: date, end: date,
            **kw: object) -> tuple[pa.Table, pa.Table]:  # fmt: skip
    with open_engine("duckdb") as duck, open_engine("spark") as sp:
        left = features(duck, lake, tmp / "f-duckdb", start, end, **kw)  # type: ignore[arg-type]
        right = features(sp, lake, tmp / "f-spark", start, end, **kw)  # type: ignore[arg-type]
    return left, right


def world_cells(world: World) -> pa.Table:
    table = pacsv.read_csv(world.path / "cells.csv")
    return table.select(CELL_REF.names).cast(CELL_REF)


def test_features_are_equal_on_the_world(
    spark_engine: AnalyticsEngine, world: World, tmp_path: Path
) -> None:
    # Two days and one day of look-back: every feature, with few Spark jobs (each
    # day's partials are five jobs).
    days = RecordLake(world.lake).days(RecordKind.CALLS)
    start, end = date.fromisoformat(days[3]), date.fromisoformat(days[4])
    kw = {"cells": world_cells(world), "lookback_days": 1}
    left, right = on_both(spark_engine, world.lake, tmp_path, start, end, **kw)
    assert left.num_rows > 1000
    same_table(left, right, "msisdn")
    # And the partials one engine wrote serve the other: a window over Spark's
    # partials, aggregated on DuckDB, is the same table again.
    with open_engine("duckdb") as duck:
        again = features(duck, world.lake, tmp_path / "f-spark", start, end, **kw)  # type: ignore[arg-type]
    same_table(left, again, "msisdn")


def _edges(sub: Subgraph) -> set[tuple[str, str, str, float]]:
    src, dst, weight = sub.edges
    return {
        (sub.nodes[int(s)], sub.nodes[int(d)], str(k), round(float(w), 9))
        for s, d, k, w in zip(src, dst, sub.edge_kinds, weight, strict=True)
    }


def test_the_suspected_subgraph_is_equal_on_the_world(
    spark_engine: AnalyticsEngine, world: World
) -> None:
    store = world.store()
    with store.session() as session:
        seeds = seeds_from(SqlNetworkInputs(session))
    store.dispose()
    assert seeds.phones and seeds.accounts
    cells = pacsv.read_csv(world.path / "cells.csv").select(
        ["cell_id", "lat", "lon", "country", "border"]
    )
    graphs = []
    for name in ("duckdb", "spark"):
        with open_engine(name) as engine:
            engine.attach_lake(RecordLake(world.lake))
            engine.register_arrow("cells", cells)
            graphs.append(extract(engine, seeds))
    duck, spark = graphs
    assert len(duck.nodes) > len(seeds.phones)  # it grew beyond the seeds
    assert duck.nodes == spark.nodes
    assert duck.kinds == spark.kinds
    assert duck.why == spark.why
    assert _edges(duck) == _edges(spark)
    assert duck.ties.tolist() == spark.ties.tolist()  # every tie in the lake, per node
    for a, b in ((duck.calls, spark.calls), (duck.money, spark.money),
                 (duck.cell_use, spark.cell_use)):  # fmt: skip
        rows_a = sorted(zip(a[0].tolist(), a[1].tolist(), np.round(a[2], 6).tolist(), strict=True))
        rows_b = sorted(zip(b[0].tolist(), b[1].tolist(), np.round(b[2], 6).tolist(), strict=True))
        assert rows_a == rows_b


def _lake(root: Path, calls: list[dict[str, object]], messages: list[dict[str, object]]) -> Path:
    lake = RecordLake(root / "lake")
    if calls:
        lake.write(RecordKind.CALLS, pa.Table.from_pylist(calls, schema=SCHEMAS[RecordKind.CALLS]))
    if messages:
        lake.write(
            RecordKind.MESSAGES, pa.Table.from_pylist(messages, schema=SCHEMAS[RecordKind.MESSAGES])
        )
    return lake.root


def sms(sender: str, recipient: str, at: datetime, text: str) -> dict[str, object]:
    return {"sender": sender, "recipient": recipient, "sent_at": at, "text": text,
            "channel": "sms"}  # fmt: skip


def test_messages_only_subscribers_get_nulls_not_nans(
    spark_engine: AnalyticsEngine, tmp_path: Path
) -> None:
    lake = _lake(
        tmp_path,
        [call(A, B, "2023-10-02 01:00", 10, "490154203237518", "c1")],
        [
            sms(C, B, datetime(2023, 10, 2, 3, tzinfo=UTC), r"visit www.x.top\now"),
            sms(C, A, datetime(2023, 10, 2, 4, tzinfo=UTC), "ok"),
        ],
    )
    left, right = on_both(spark_engine, lake, tmp_path, date(2023, 10, 2), date(2023, 10, 2))
    same_table(left, right, "msisdn")
    row = {r["msisdn"]: r for r in right.to_pylist()}[C]
    assert row["calls_out"] == 0 and row["sms_out"] == 2 and row["sms_with_url"] == 1
    for ratio in ("short_call_ratio", "night_ratio", "callback_ratio", "median_duration"):
        assert row[ratio] is None  # NULL: nothing to divide, never NaN


def test_empty_days_inside_and_around_the_window(
    spark_engine: AnalyticsEngine, tmp_path: Path
) -> None:
    # Records on the 1st and the 4th only; the window runs from the 2nd to the 5th.
    lake = _lake(
        tmp_path,
        [call(A, B, "2023-10-01 10:00", 10, "490154203237518", "c1"),
         call(A, C, "2023-10-04 10:00", 40, "490154203237518", "c3")],
        [sms(B, A, datetime(2023, 10, 3, 9, tzinfo=UTC), "hi")],
    )  # fmt: skip
    left, right = on_both(spark_engine, lake, tmp_path, date(2023, 10, 2), date(2023, 10, 5))
    same_table(left, right, "msisdn")
    assert {r["msisdn"] for r in right.to_pylist()} == {A, B}
    assert {r["msisdn"]: r["new_contact_ratio"] for r in right.to_pylist()}[A] == 1.0
    # A window with no records at all is an empty table with the same columns on both.
    left, right = on_both(spark_engine, lake, tmp_path / "none", date(2024, 1, 1), date(2024, 1, 3))
    assert left.num_rows == right.num_rows == 0
    assert left.column_names == right.column_names


@pytest.mark.parametrize(
    ("zone", "day", "night"),
    [
        # 21:59:59.700 UTC is 05:59:59.7 in Shanghai: still night (a second's fraction
        # must be dropped, not rounded up into 06:00).
        ("Asia/Shanghai", "2023-10-02", ["2023-10-01 21:59:59.700", "2023-10-01 22:00:00"]),
        # 2023-10-29 in Paris: clocks go back at 01:00 UTC, the general conversion path.
        ("Europe/Paris", "2023-10-29",
         ["2023-10-29 00:30", "2023-10-29 04:59:59", "2023-10-29 05:00"]),
        # 2023-11-05 in New York: clocks go back at 06:00 UTC.
        ("America/New_York", "2023-11-05",
         ["2023-11-05 04:30", "2023-11-05 10:59", "2023-11-05 11:00"]),
    ],
)  # fmt: skip
def test_night_in_any_time_zone(
    spark_engine: AnalyticsEngine, tmp_path: Path, zone: str, day: str, night: list[str]
) -> None:
    rows = [call(A, B, at, 10, "490154203237518", "c1") for at in night]
    lake = _lake(tmp_path, rows, [])
    first = min(datetime.fromisoformat(at).date() for at in night)
    last = date.fromisoformat(day)
    left, right = on_both(spark_engine, lake, tmp_path, first, last, timezone=zone)
    same_table(left, right, "msisdn")
    ratio = {r["msisdn"]: r["night_ratio"] for r in right.to_pylist()}[A]
    assert 0 < ratio < 1  # the boundary splits the calls on both engines alike


def test_null_and_nan_stay_apart_through_each_engine(spark_engine: AnalyticsEngine) -> None:
    table = pa.table({"k": [1, 2, 3, 4], "x": pa.array([1.5, float("nan"), None, 0.0])})
    query = (
        "SELECT count(x) AS present, sum(CASE WHEN isnan(x) THEN 1 ELSE 0 END) AS nans, "
        "sum(CASE WHEN x IS NULL THEN 1 ELSE 0 END) AS nulls, "
        "sum(CASE WHEN x > 1 THEN 1 ELSE 0 END) AS above FROM t"
    )
    out = []
    for name in ("duckdb", "spark"):
        with open_engine(name) as engine:
            engine.register_arrow("t", table)
            back = engine.to_arrow(engine.sql("SELECT k, x FROM t ORDER BY k"))
            out.append((engine.fetch(engine.sql(query))[0], back))
    (duck, duck_back), (spark, spark_back) = out
    # NaN is a value (counted, and above every number on both engines); NULL is not.
    assert duck == spark == {"present": 3, "nans": 1, "nulls": 1, "above": 2}
    x = spark_back.column("x")
    assert x.null_count == 1 and np.isnan(x.to_numpy(zero_copy_only=False)[1])
    assert duck_back.column("x").to_pylist()[2] is None

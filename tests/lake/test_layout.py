"""The record lake: day partitions, idempotent writes, schema checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scamnet.lake import RecordKind, RecordLake, SchemaMismatch

T0 = datetime(2023, 11, 17, 23, 0, tzinfo=UTC)


def calls(n: int, start: datetime = T0) -> pa.Table:
    return pa.table(
        {
            "caller": ["+8613800138000"] * n,
            "callee": [f"+86139001{i:05d}" for i in range(n)],
            "start": [start + timedelta(minutes=30 * i) for i in range(n)],
            "duration_s": list(range(n)),
            "imei": [None] * n,
            "cell_id": ["46000-1234"] * n,
        }
    )


def test_rows_are_split_by_utc_day(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path)
    result = lake.write(RecordKind.CALLS, calls(4))  # 23:00, 23:30, 00:00, 00:30
    assert result.rows_written == 4
    assert lake.days(RecordKind.CALLS) == ["2023-11-17", "2023-11-18"]
    per_day = [pq.read_table(f).num_rows for f in lake.files(RecordKind.CALLS)]
    assert sorted(per_day) == [2, 2]


def test_writing_the_same_batch_twice_stores_it_once(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path)
    lake.write(RecordKind.CALLS, calls(4))
    again = lake.write(RecordKind.CALLS, calls(4))
    assert again.rows_written == 0
    assert again.rows_skipped == 4
    assert len(lake.files(RecordKind.CALLS)) == 2


def test_a_batch_of_the_wrong_shape_is_refused_and_nothing_written(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path)
    with pytest.raises(SchemaMismatch, match="calls"):
        lake.write(RecordKind.CALLS, pa.table({"caller": ["x"]}))
    bad_type = calls(2).set_column(3, "duration_s", pa.array(["long", "short"]))
    with pytest.raises(SchemaMismatch):
        lake.write(RecordKind.CALLS, bad_type)
    assert lake.files(RecordKind.CALLS) == []


def test_empty_batch_writes_nothing(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path)
    assert lake.write(RecordKind.CALLS, calls(0)).rows_written == 0
    assert not (tmp_path / "calls").exists()

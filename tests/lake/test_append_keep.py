"""`append_relation` with ``keep_new`` (the stream's commit) writes and keeps exactly what the
view path writes: the rows not yet stored, in their order, with those already stored
counted and left out, whether the key index is used or the sidecars are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scamnet.lake import SCHEMAS, RecordKind, RecordLake
from scamnet.lake.append import append_relation
from scamnet.lake.keyindex import KeyIndex

KEY = ("caller", "callee", "start")
BASE = datetime(2023, 10, 1, 23, 58, tzinfo=UTC)  # the rows cross a UTC day


def calls(first: int, n: int) -> pa.Table:
    rows = range(first, first + n)
    return pa.table({
        "caller": [f"+86138{i % 7:08d}" for i in rows],
        "callee": [f"+86139{i:08d}" for i in rows],
        "start": [BASE + timedelta(seconds=i) for i in rows],
        "duration_s": [i % 90 for i in rows],
        "imei": [None if i % 3 else f"3569380356{i:05d}" for i in rows],
        "cell_id": [None] * n,
    }, schema=SCHEMAS[RecordKind.CALLS])  # fmt: skip


Rows = list[dict[str, object]]


def append(con: duckdb.DuckDBPyConnection, lake: RecordLake, table: pa.Table,
           keep: str | None, index: KeyIndex | None) -> tuple[int, int, Rows]:  # fmt: skip
    con.register("batch", table)
    with lake.writer(RecordKind.CALLS, "test", 5.0) as w:
        written, already = append_relation(con, w, "batch", KEY, keep_new=keep, index=index)
    con.unregister("batch")
    if keep is None:
        return written, already, []
    return (
        written,
        already,
        con.sql(f"SELECT * EXCLUDE (__k) FROM {keep}").to_arrow_table().to_pylist(),
    )


def stored(lake: RecordLake) -> Rows:
    files = lake.files(RecordKind.CALLS)
    rows = pa.concat_tables([pq.read_table(f, columns=SCHEMAS[RecordKind.CALLS].names)
                             for f in files]).to_pylist()  # fmt: skip
    return sorted(rows, key=lambda r: (str(r["start"]), str(r["callee"])))


@pytest.mark.parametrize("indexed", [False, True])
def test_kept_rows_are_those_written_in_order_and_the_lake_equals_the_view_paths(
    tmp_path: Path, indexed: bool
) -> None:
    kept_lake, view_lake = RecordLake(tmp_path / "kept"), RecordLake(tmp_path / "view")
    con = duckdb.connect()
    index = KeyIndex() if indexed else None
    batches = [calls(0, 200), calls(150, 200), calls(0, 400), calls(390, 30)]
    expected_new = [list(range(0, 200)), list(range(200, 350)), list(range(350, 400)),
                    list(range(400, 420))]  # fmt: skip
    for table, new in zip(batches, expected_new, strict=True):
        written, already, kept = append(con, kept_lake, table, "kept", index)
        view_written, view_already, _ = append(con, view_lake, table, None, None)
        assert (written, already) == (view_written, view_already) == (
            len(new), table.num_rows - len(new))  # fmt: skip
        assert kept == calls(new[0], len(new)).to_pylist()  # the new rows, in their order
    assert stored(kept_lake) == stored(view_lake) == sorted(
        calls(0, 420).to_pylist(), key=lambda r: (str(r["start"]), str(r["callee"])))  # fmt: skip

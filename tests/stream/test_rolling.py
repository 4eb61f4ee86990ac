"""The stream's rolling features, fed one record at a time, equal the batch features
(the SQL over day partials) at the window's end, feature by feature."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scamnet.engine.features.subscribers import CELL_REF
from scamnet.lake import SCHEMAS, RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.seeds import cell_reference
from scamnet.stream.replay import batch_features, features_differ
from scamnet.stream.rolling import Cell, RollingFeatures

DAY = date(2023, 10, 5)


def stream_of(root: Path, first: date, last: date) -> list[tuple[str, pa.Table]]:
    """The lake's calls and messages of the days, one record a batch, in time order."""
    lake = RecordLake(Settings.from_env(root).lake_dir)
    days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    events: list[tuple[Any, str, pa.Table]] = []
    for kind, col in ((RecordKind.CALLS, "start"), (RecordKind.MESSAGES, "sent_at")):
        files = lake.snapshot(kind).files_on(days)
        table = pa.concat_tables([pq.read_table(f, columns=SCHEMAS[kind].names) for f in files])
        for i in range(table.num_rows):
            row = table.slice(i, 1)
            events.append((row.column(col)[0].as_py(), kind.value, row))
    events.sort(key=lambda e: e[0])
    return [(kind, row) for _, kind, row in events]


def assert_equal(stream: dict[str, Any], batch: dict[str, Any]) -> None:
    assert set(stream) == set(batch)
    wrong = features_differ(stream, batch)
    assert wrong == [], wrong[:10]


@pytest.mark.slow
def test_rolling_features_equal_the_batch_features_at_the_window_end(
    demo_world: Path, tmp_path: Path
) -> None:
    store = Store(Settings.from_env(demo_world).database_url)
    with store.session() as session:
        cells = cell_reference(session, CELL_REF)
    store.dispose()
    rolling = RollingFeatures(cells={
        c: Cell(r, k, bool(b)) for c, r, k, b in zip(*(cells.column(n).to_pylist() for n in
                                                       ("cell_id", "region", "country", "border")),
                                                      strict=True)
    })  # fmt: skip
    # The same records in batches of up to 500 (the column-wise path a group takes).
    batched = RollingFeatures(cells=rolling.cells)
    runs: list[tuple[str, list[pa.Table]]] = []
    for kind, row in stream_of(demo_world, DAY - timedelta(days=7), DAY):
        rolling.add_table(kind, row)
        if runs and runs[-1][0] == kind and len(runs[-1][1]) < 500:
            runs[-1][1].append(row)
        else:
            runs.append((kind, [row]))
    for kind, rows in runs:
        batched.add_table(kind, pa.concat_tables(rows))
    assert any(len(rows) >= 100 for kind, rows in runs if kind == "calls")
    for start in (DAY, DAY - timedelta(days=2)):  # a window of one day, and of three
        batch = batch_features(Settings.from_env(demo_world), cells, start, DAY, tmp_path)
        stream = {r["msisdn"]: r for r in rolling.table(start, DAY).to_pylist()}
        assert len(batch) > 1_000
        assert_equal(stream, batch)
        assert_equal({r["msisdn"]: r for r in batched.table(start, DAY).to_pylist()}, batch)
    assert {m: list(q) for m, q in batched.recent.items()} == {
        m: list(q) for m, q in rolling.recent.items()
    }

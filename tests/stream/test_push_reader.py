"""The same pushed batches, read at once (Arrow) or line by line, store the same lake
rows and the same rejects, and get the same answers.

`ndjson.parse_ndjson` reads an all-good batch at once and falls back to the line rule
for any batch it cannot provably read alike. Here the same sequence of batches (good
ones, one full of awkward lines, one without a required column, one sent twice) goes
through two intakes, one with the fast reader and one with it switched off.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from scamnet.core.access import Actor, UserRole
from scamnet.ingest import ndjson
from scamnet.ingest.rejects import RejectStore
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.stream.arrival import ArrivalProcessor
from scamnet.stream.intake import BatchRefused, PushIntake
from tests.support.users import register

TESTER = Actor("tester", "CN-YN-DH", frozenset(UserRole))
AT = datetime(2023, 10, 2, 14, 0, tzinfo=UTC)


def good(first: int, n: int) -> bytes:
    rows = [{"caller": f"+86138{i % 9:08d}", "callee": f"+86139{i:08d}",
             "start": f"2023-10-02T13:{i % 60:02d}:{i % 7:02d}Z", "duration_s": 20 + i % 300}
            for i in range(first, first + n)]  # fmt: skip
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def rec(
    callee: int, duration: bytes, caller: bytes = b'"+8613800000001"', more: bytes = b""
) -> bytes:
    """A call line with its caller and duration written as given."""
    return (b'{"caller": %s, "callee": "+86139%08d", "start": "2023-10-02T13:00:00Z", '
            b'"duration_s": %s%s}' % (caller, callee, duration, more))  # fmt: skip


AWKWARD = b"\n".join([
    rec(1, b"1e3"), rec(2, b"-0"), rec(3, b"12.50"), rec(4, b'"abc"'),
    rec(5, b"5", caller=b"8613800000001"),
    b'{"caller": "=cmd|\' /C calc\'!A0", "callee": "<script>", "start": "\'; DROP TABLE x;--", '
    b'"duration_s": 5}',
    rec(6, b"5", more=b', "imei": null'),
    b"",
    rec(6, b"5"),
    b'{"caller": "+8613800000001", "callee"',
    b"{}",
    rec(7, b"5", caller=b'"\\ud800"'),
    b'{"caller": "+8613800000001", "callee": "+8613900000009", "start": "2023-10-02T13:00:00Z"}',
    rec(10, b"5", caller=b'["+8613800000001"]'),
    rec(11, b"7") + b' {"x": 1}',
    rec(12, b"0", caller=b'"+8613800000002"'),
]) + b"\n"  # fmt: skip
NO_CALLEE = b'{"caller": "+8613800000001", "start": "2023-10-02T13:00:00Z", "duration_s": 5}\n'


def run(root: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Push the sequence into a fresh data directory; what each push and the lake hold."""
    register(root)
    taken: list[bool] = []
    reader = ndjson.read_batch

    def spy(body: bytes, names: Any, max_line: int) -> pa.Table | None:
        got = reader(body, names, max_line) if fast else None
        taken.append(got is not None)
        return got

    monkeypatch.setattr(ndjson, "read_batch", spy)
    settings = Settings.from_env(root)
    store = Store(settings.database_url)
    intake = PushIntake(settings, store, ArrivalProcessor(store, settings, "CN-YN-DH"))
    answers: list[Any] = []
    try:
        # The second good batch repeats the first's last 50 records (already stored).
        for body in (good(0, 300), good(250, 300), AWKWARD, NO_CALLEE, good(0, 300)):
            try:
                receipt = intake.push(TESTER, "calls", body, arrived_at=AT, limit=False)
                answers.append(receipt.as_dict())
            except BatchRefused as exc:
                answers.append(str(exc))
    finally:
        intake.close()
        store.dispose()
    files = RecordLake(settings.lake_dir).files(RecordKind.CALLS)
    paths = ", ".join(f"'{f}'" for f in files)
    rows = duckdb.execute(f"SELECT * EXCLUDE (day) FROM read_parquet([{paths}]) ORDER BY ALL"
                          ).fetchall()  # fmt: skip
    rejects = RejectStore(settings.rejects_dir).read("calls").sort_by([("line", "ascending")])
    return {"answers": answers, "rows": rows, "rejects": rejects.to_pylist(), "taken": taken}


def test_the_same_batches_store_the_same_rows_and_rejects_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = run(tmp_path / "fast", True, monkeypatch)
    slow = run(tmp_path / "slow", False, monkeypatch)
    # The good batches and the one missing a column were read at once; the awkward one
    # was not (the sent-again batch is recognised before it is read).
    assert fast["taken"] == [True, True, False, True]
    assert slow["taken"] == [False] * 4
    assert fast["answers"] == slow["answers"]
    assert fast["rows"] == slow["rows"]
    assert fast["rejects"] == slow["rejects"]
    # What the line rule says about the awkward batch, line by line.
    awkward = fast["answers"][2]
    # Lines 5 (a number for a phone number), 7 and 16 are stored; 8 is blank.
    assert (awkward["read"], awkward["stored"], awkward["rejected"]) == (15, 3, 12)
    reasons = {r["line"]: r["reason"] for r in awkward["rejected_lines"]}
    assert set(reasons) == {1, 2, 3, 4, 6, 9, 10, 11, 12, 13, 14, 15}
    # "-0" and "1e3" are kept as written, so refused as whole numbers (never 0 or 1000).
    assert all("whole number" in reasons[n] for n in (1, 2, 3, 4))
    assert "duplicate" in reasons[9] and "JSON" in reasons[10] and "empty" in reasons[11]
    assert "surrogate" in reasons[12] and "JSON" in reasons[15]
    assert fast["answers"][1]["already_stored"] == 50
    assert "callee" in fast["answers"][3]
    assert fast["answers"][4]["same_content_already_received"] is True
    stored = {(r[0], r[1]): r for r in fast["rows"]}
    assert len(stored) == len(fast["rows"]) == 550 + 3

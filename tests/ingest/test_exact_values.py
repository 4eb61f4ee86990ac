"""Values are stored exactly as meant, or rejected with a reason: never changed silently.

Issue 15, "What breaks today" case 4: JSON Lines keys first seen late, nested JSON
values, undecodable bytes, amounts and durations finer than allowed, hex and
exponents, coordinates, future times and impossible offsets.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from scamnet.ingest import sources
from scamnet.ingest.mapping import Mapping, Numbers
from scamnet.lake import RecordKind, RecordLake
from scamnet.store.models import CellRow, VictimReportRow
from tests.ingest.conftest import IngestFn

A, B = "+8613800138000", "+8613900139000"


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _lake(data_dir: Path, kind: RecordKind) -> list[dict[str, object]]:
    files = RecordLake(data_dir / "lake").files(kind)
    return [r for f in files for r in pq.read_table(f).to_pylist()]


def test_durations_are_whole_seconds_and_other_spellings_are_rejected(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    rows = [[A, f"+86139001390{i:02d}", "2023-10-01 10:00:00Z", d]
            for i, d in enumerate(["1.005", "0x10", "1e3", "1,000", "-5", "60"])]  # fmt: skip
    result = ingest("calls", _csv(tmp_path / "c.csv", ["caller", "callee", "start", "duration_s"],
                                  rows))  # fmt: skip
    assert result.stored == 1
    assert result.rejected == {"invalid duration_s: not a whole number": 5}
    assert [r["duration_s"] for r in _lake(data_dir, RecordKind.CALLS)] == [60]


def test_declared_number_spellings_are_read(tmp_path: Path, data_dir: Path,
                                            ingest: IngestFn) -> None:  # fmt: skip
    rows = [[A, f"+86139001390{i:02d}", "2023-10-01 10:00:00Z", d]
            for i, d in enumerate(["0x10", "1e3", "1,000", "1.5e0"])]  # fmt: skip
    mapping = Mapping(numbers=Numbers(thousands=",", exponent=True, hex=True))
    result = ingest("calls", _csv(tmp_path / "c.csv", ["caller", "callee", "start", "duration_s"],
                                  rows), mapping)  # fmt: skip
    assert result.rejected == {"invalid duration_s: not a whole number": 1}  # 1.5 is not whole
    assert sorted(r["duration_s"] for r in _lake(data_dir, RecordKind.CALLS)) == [16, 1000, 1000]


def test_amounts_keep_the_currencys_minor_unit_and_finer_is_rejected(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    src, dst = "6222020200112233445", "6222020200112233446"
    cases = [("1.005", "CNY"), ("1.01", "CNY"), ("100", "JPY"), ("1.5", "JPY"),
             ("1e3", "CNY"), ("1,000.00", "CNY"), ("0x10", "CNY"), ("7.5", "")]  # fmt: skip
    rows = [[src, dst, a, c, f"2023-10-01 10:00:{i:02d}Z"] for i, (a, c) in enumerate(cases)]
    path = _csv(tmp_path / "t.csv", ["source", "target", "amount", "currency", "at"], rows)
    result = ingest("transfers", path)
    assert result.rejected == {
        "invalid amount: finer than the currency's minor unit": 2,
        "invalid amount: not an amount": 3,
    }
    stored = sorted(r["amount"] for r in _lake(data_dir, RecordKind.TRANSFERS))
    assert stored == [Decimal("1.01"), Decimal("7.50"), Decimal("100.00")]


def test_times_in_the_future_and_impossible_offsets_are_rejected(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    times = [
        "2100-10-01 10:00:00Z",
        "2023-10-01 10:00:00+25:00",
        "2023-10-01 10:00:00-13:75",
        "2023-10-01 10:00:00+05:30",
        "2023-10-01T10:00:00+0800",
        "2023-10-01 10:00:00-12:00",
    ]
    rows = [[A, f"+86139001390{i:02d}", t, "5"] for i, t in enumerate(times)]
    result = ingest("calls", _csv(tmp_path / "c.csv", ["caller", "callee", "start", "duration_s"],
                                  rows))  # fmt: skip
    assert result.rejected == {"invalid start: in the future": 1,
                               "invalid start: not a valid UTC offset": 2}  # fmt: skip
    assert result.stored == 3


def test_coordinates_must_be_in_range(tmp_path: Path, ingest: IngestFn) -> None:
    rows = [["c1", "1e308", "10", "CN"], ["c2", "91", "10", "CN"], ["c3", "45", "-180.5", "CN"],
            ["c4", "0x1A", "10", "CN"], ["c5", "-89.5", "179.9", "CN"]]  # fmt: skip
    result = ingest("cells", _csv(tmp_path / "cells.csv", ["cell_id", "lat", "lon", "country"],
                                  rows))  # fmt: skip
    assert result.rejected == {"invalid lat: not a number": 2,
                               "invalid lat: outside -90 to 90": 1,
                               "invalid lon: outside -180 to 180": 1}  # fmt: skip
    with ingest.store.session() as s:  # type: ignore[attr-defined]
        assert s.scalars(select(CellRow.cell_id)).all() == ["c5"]


def test_jsonl_keys_first_seen_late_are_kept(
    tmp_path: Path, data_dir: Path, ingest: IngestFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "JSONL_BATCH", 10)  # the late key appears in a later batch
    path = tmp_path / "m.jsonl"
    with path.open("w") as fh:
        for i in range(30):
            row = {"sender": A, "recipient": B, "sent_at": f"2023-10-01T10:00:{i:02d}Z",
                   "text": f"hello {i}"}  # fmt: skip
            if i >= 25:
                row["channel"] = "wechat"
            fh.write(json.dumps(row) + "\n")
    assert ingest("messages", path).stored == 30
    channels = [r["channel"] for r in _lake(data_dir, RecordKind.MESSAGES)]
    assert channels.count("wechat") == 5


def test_jsonl_nested_values_are_kept_as_json_and_numbers_as_written(
    tmp_path: Path, ingest: IngestFn
) -> None:
    path = tmp_path / "r.jsonl"
    rows = [
        {"report_id": "R1", "filed_at": "2023-10-01T10:00:00Z", "bureau": "SZ",
         "fraud_type": "investment", "narrative": {"said": ["pay", 1.5], "ok": True}},
        {"report_id": "R2", "filed_at": "2023-10-01T10:00:00Z", "bureau": "SZ",
         "fraud_type": "investment", "loss": 1.005},
    ]  # fmt: skip
    # Written by hand: json.dumps would spell 1e3 as 1000.0.
    late = ('{"report_id": "R3", "filed_at": "2023-10-01T10:00:00Z", "bureau": "SZ", '
            '"fraud_type": "investment", "loss": 1e3}\n')  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + late)
    result = ingest("reports", path)
    assert result.rejected == {"invalid loss: finer than the currency's minor unit": 1,
                               "invalid loss: not an amount": 1}  # fmt: skip
    with ingest.store.session() as s:  # type: ignore[attr-defined]
        narrative = s.scalars(select(VictimReportRow.narrative)).all()
    assert narrative == ['{"said":["pay",1.5],"ok":true}']


def test_undecodable_bytes_are_a_reject_reason_never_a_replacement_character(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    lines = ["sender,recipient,sent_at,text"]
    lines += [f"{A},{B},2023-10-01 10:00:{i:02d}Z,你好{i}" for i in range(20)]
    data = "\n".join(lines).encode("gb18030") + b"\n"
    # Line 5 gets a byte sequence that is not GB18030 (0x80 alone is invalid).
    broken = data.split(b"\n")
    broken[4] = broken[4].replace("你".encode("gb18030"), b"\x80\xff")
    (tmp_path / "m.csv").write_bytes(b"\n".join(broken))
    result = ingest("messages", tmp_path / "m.csv", Mapping(encoding="gb18030"))
    assert result.rejected == {"unreadable line: bytes that are not GB18030": 1}
    assert result.stored == 19
    texts = [r["text"] for r in _lake(data_dir, RecordKind.MESSAGES)]
    assert not any("\ufffd" in t for t in texts)


def test_parquet_nested_values_are_kept_as_json(tmp_path: Path, ingest: IngestFn) -> None:
    import pyarrow as pa

    table = pa.table({"report_id": ["R9"], "filed_at": ["2023-10-01T10:00:00Z"],
                      "bureau": ["SZ"], "fraud_type": ["investment"],
                      "narrative": pa.array([{"said": [1, 2], "to": "x"}])})  # fmt: skip
    pq.write_table(table, tmp_path / "r.parquet")
    assert ingest("reports", tmp_path / "r.parquet").stored == 1
    with ingest.store.session() as s:  # type: ignore[attr-defined]
        assert s.scalars(select(VictimReportRow.narrative)).all() == ['{"said":[1,2],"to":"x"}']

"""Ingestion end to end: every kind, rejects with reasons, idempotence, formats, mappings."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from scamnet.ingest.mapping import Mapping, MappingError, load_mapping
from scamnet.ingest.rejects import RejectStore
from scamnet.lake import RecordKind, RecordLake
from scamnet.store.models import ManifestEntryRow, PersonRow, VictimReportRow, WarrantRow
from tests.ingest.conftest import IngestFn

LAKE_KINDS = {"messages": "messages.csv", "transfers": "transfers.csv"}


def truth_lines(world: Path, name: str) -> set[int]:
    with (world / "truth" / "messy.csv").open() as fh:
        return {int(r["line"]) for r in csv.DictReader(fh) if r["file"] == name}


def reject_lines(data_dir: Path, kind: str) -> set[int]:
    return set(RejectStore(data_dir / "rejects").read(kind).column("line").to_pylist())


def lake_rows(data_dir: Path, kind: RecordKind) -> int:
    files = RecordLake(data_dir / "lake").files(kind)
    return sum(pq.read_metadata(f).num_rows for f in files)


def test_calls_rejects_are_exactly_the_messy_rows(world: Path, data_dir: Path,
                                                  ingest: IngestFn) -> None:  # fmt: skip
    path = sorted((world / "calls").glob("*.csv"))[0]
    result = ingest("calls", path)
    assert result.error is None
    assert reject_lines(data_dir, "calls") == truth_lines(world, f"calls/{path.name}")
    assert result.read == result.stored + result.n_rejected  # nothing lost silently
    assert lake_rows(data_dir, RecordKind.CALLS) == result.stored


@pytest.mark.parametrize("kind", sorted(LAKE_KINDS))
def test_lake_kinds_reject_exactly_the_messy_rows(kind: str, world: Path, data_dir: Path,
                                                  ingest: IngestFn) -> None:  # fmt: skip
    result = ingest(kind, world / LAKE_KINDS[kind])
    assert reject_lines(data_dir, kind) == truth_lines(world, LAKE_KINDS[kind])
    assert result.read == result.stored + result.n_rejected
    assert lake_rows(data_dir, RecordKind(kind)) == result.stored


@pytest.mark.parametrize("kind", ["reports", "persons", "wanted", "handovers", "cells"])
def test_store_kinds_are_taken_in(kind: str, world: Path, data_dir: Path,
                                  ingest: IngestFn) -> None:  # fmt: skip
    result = ingest(kind, world / f"{kind}.csv")
    assert result.error is None
    assert result.stored > 0
    assert result.read == result.stored + result.already + result.n_rejected
    # Only rows the simulator corrupted are refused (some corruptions hit optional fields).
    assert reject_lines(data_dir, kind) <= truth_lines(world, f"{kind}.csv")


def test_store_rows_land_in_their_tables(world: Path, ingest: IngestFn) -> None:
    counts = {k: ingest(k, world / f"{k}.csv").stored for k in ("reports", "wanted", "handovers")}
    ingest("persons", world / "persons.csv")
    with ingest.store.session() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count()).select_from(VictimReportRow)) == counts["reports"]
        assert s.scalar(select(func.count()).select_from(WarrantRow)) == counts["wanted"]
        assert s.scalar(select(func.count()).select_from(ManifestEntryRow)) == counts["handovers"]
        assert (s.scalar(select(func.count()).select_from(PersonRow)) or 0) > 0


def test_reingesting_a_file_adds_nothing(world: Path, data_dir: Path, ingest: IngestFn,
                                         tmp_path: Path) -> None:  # fmt: skip
    path = sorted((world / "calls").glob("*.csv"))[0]
    first = ingest("calls", path)
    files_before = sorted(RecordLake(data_dir / "lake").files(RecordKind.CALLS))
    again = ingest("calls", path)
    assert again.skipped_same_content
    assert again.stored == 0
    # A renamed copy is recognised by its content.
    copy = tmp_path / "copy.csv"
    shutil.copy(path, copy)
    assert ingest("calls", copy).skipped_same_content
    assert sorted(RecordLake(data_dir / "lake").files(RecordKind.CALLS)) == files_before
    assert lake_rows(data_dir, RecordKind.CALLS) == first.stored
    for kind in ("reports", "handovers"):
        ingest(kind, world / f"{kind}.csv")
        assert ingest(kind, world / f"{kind}.csv").skipped_same_content


def test_overlapping_files_store_each_record_once(
    world: Path, data_dir: Path, ingest: IngestFn, tmp_path: Path
) -> None:
    lines = sorted((world / "calls").glob("*.csv"))[0].read_bytes().split(b"\n")
    head, body = lines[0], [ln for ln in lines[1:] if ln]
    part_a, part_b = tmp_path / "a.csv", tmp_path / "b.csv"
    part_a.write_bytes(b"\n".join([head, *body[:3000]]) + b"\n")
    part_b.write_bytes(b"\n".join([head, *body[2000:5000]]) + b"\n")
    a = ingest("calls", part_a)
    b = ingest("calls", part_b)
    assert b.already > 900  # the 1,000 shared rows, less the few messy ones among them
    assert lake_rows(data_dir, RecordKind.CALLS) == a.stored + b.stored
    # Another file (other order, other bytes) holding reports that were stored already.
    head_r, *body_r = (world / "reports.csv").read_bytes().rstrip(b"\n").split(b"\n")
    (tmp_path / "r1.csv").write_bytes(b"\n".join([head_r, *body_r]) + b"\n")
    (tmp_path / "r2.csv").write_bytes(b"\n".join([head_r, *reversed(body_r)]) + b"\n")
    r1 = ingest("reports", tmp_path / "r1.csv")
    r2 = ingest("reports", tmp_path / "r2.csv")
    assert r2.stored == 0
    assert r2.already == r1.stored


OPERATOR_CDR = (
    "MSISDN|OTHER_PARTY|CALL_TYPE|START_TIME|DURATION|IMEI|LAC|CI\n"
    "13800138000|13900139000|MOC|20231001083015|65|490154203237518|1234|56789\n"
    "13800138000|13700137000|MTC|20231001090000|12|490154203237518|1234|56789\n"
    "13800138000|13700137000|XYZ|20231001091000|12|490154203237518|1234|56789\n"
)
OPERATOR_MAPPING = """
delimiter: "|"
encoding: gb18030
region: CN
timezone: Asia/Shanghai
columns:
  caller: MSISDN
  callee: OTHER_PARTY
  start: START_TIME
  duration_s: DURATION
  imei: IMEI
  cell_id: [LAC, CI]
formats:
  start: "%Y%m%d%H%M%S"
direction: {column: CALL_TYPE, outgoing: MOC, incoming: MTC}
"""


def test_operator_cdr_through_a_mapping(tmp_path: Path, data_dir: Path, ingest: IngestFn) -> None:
    src = tmp_path / "cdr.txt"
    src.write_bytes(OPERATOR_CDR.encode("gb18030"))
    (tmp_path / "m.yaml").write_text(OPERATOR_MAPPING)
    result = ingest("calls", src, load_mapping(tmp_path / "m.yaml"))
    assert (result.stored, result.n_rejected) == (2, 1)
    assert "invalid direction" in next(iter(result.rejected))
    rows = (
        pa.concat_tables(
            pq.read_table(f) for f in RecordLake(data_dir / "lake").files(RecordKind.CALLS)
        )
        .sort_by("start")
        .to_pylist()
    )
    assert rows[0]["caller"] == "+8613800138000"
    assert rows[0]["start"].isoformat() == "2023-10-01T00:30:15+00:00"  # 08:30 in Shanghai
    assert rows[0]["cell_id"] == "1234-56789"
    # MTC: the other party called us.
    assert (rows[1]["caller"], rows[1]["callee"]) == ("+8613700137000", "+8613800138000")


def test_gb18030_is_detected(tmp_path: Path, data_dir: Path, ingest: IngestFn) -> None:
    src = tmp_path / "persons.csv"
    text = "record_id,source_agency,name,birth_date\nX1,CN-YN-DH,明学昌,1955-01-01\n"
    src.write_bytes(text.encode("gb18030"))
    result = ingest("persons", src)
    assert result.stored == 1
    with ingest.store.session() as s:  # type: ignore[attr-defined]
        from scamnet.store.persons import PersonRepository

        assert PersonRepository(s).page()[0].names[0].text == "明学昌"


def test_parquet_and_jsonl(world: Path, tmp_path: Path, data_dir: Path, ingest: IngestFn) -> None:
    rows = [
        {"caller": "+8613800138000", "callee": "+8613900139000",
         "start": "2023-10-02T10:00:00Z", "duration_s": 30},
        {"caller": "+8613800138000", "callee": "bad", "start": "2023-10-02T11:00:00Z",
         "duration_s": 5},
    ]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "calls.parquet")
    res = ingest("calls", tmp_path / "calls.parquet")
    assert (res.stored, res.n_rejected) == (1, 1)
    jsonl = tmp_path / "calls.jsonl"
    lines = [json.dumps({**rows[0], "start": "2023-10-03T10:00:00Z"}), "{not json", "[1, 2]"]
    jsonl.write_text("\n".join(lines) + "\n")
    res = ingest("calls", jsonl)
    assert (res.stored, res.n_rejected) == (1, 2)
    assert reject_lines(data_dir, "calls") >= {2, 3}


def test_files_that_cannot_be_read_fail_whole_and_store_nothing(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "nocols.csv").write_text("a,b\n1,2\n")
    (tmp_path / "empty.csv").write_text("")
    for name, message in [("sheet.xlsx", "unknown format"), ("nocols.csv", "no column 'caller'"),
                          ("empty.csv", "empty"), ("missing.csv", "no such file")]:  # fmt: skip
        result = ingest("calls", tmp_path / name)
        assert result.error is not None
        assert message in result.error
        assert result.stored == 0
    assert RecordLake(data_dir / "lake").files(RecordKind.CALLS) == []


def test_hostile_values_are_refused_or_stored_verbatim(tmp_path: Path, data_dir: Path,
                                                       ingest: IngestFn) -> None:  # fmt: skip
    src = tmp_path / "m.csv"
    evil = "'); DROP TABLE victim_reports; --"
    with src.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sender", "recipient", "sent_at", "text"])
        w.writerow(["+8613800138000", "+8613900139000", "2023-10-02T10:00:00Z", evil])
        w.writerow(["+8613800138000", "+8613900139000", "2023-10-02T10:00:01Z", "a\x00b"])
        w.writerow(["+8613800138000", "+8613900139000", "2023-10-02T10:00:02Z", "x" * 20_000])
    result = ingest("messages", src)
    assert result.stored == 1
    assert sorted(result.rejected) == [
        "invalid text: control characters",
        "invalid text: longer than 10000 characters",
    ]
    table = pq.read_table(RecordLake(data_dir / "lake").files(RecordKind.MESSAGES)[0])
    assert table.column("text").to_pylist() == [evil]


def test_bad_mappings_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("delimiter: [1, 2\n")
    (tmp_path / "b.yaml").write_text("encoding: latin-9\n")
    (tmp_path / "c.yaml").write_text("colums: {}\n")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(tmp_path / "a.yaml")
    with pytest.raises(MappingError, match="encoding"):
        load_mapping(tmp_path / "b.yaml")
    with pytest.raises(MappingError, match="colums"):
        load_mapping(tmp_path / "c.yaml")
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(tmp_path / "none.yaml")
    assert Mapping().source_columns("caller") == ["caller"]


def test_utf8_with_tone_marks_and_a_broken_row_stays_utf8(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    # GB18030 would decode the tone marks without error, as mojibake; the one
    # broken row must not flip the whole file to GB18030.
    lines = ["record_id,source_agency,name,birth_date"]
    lines += [f"X{i},CN-YN-DH,Míng Xuéchāng,1955-01-0{1 + i % 9}" for i in range(20)]
    body = ("\n".join(lines) + "\n").encode("utf-8") + b"X99,CN-YN-DH,\xff\xfe,1955-01-01\n"
    src = tmp_path / "persons.csv"
    src.write_bytes(body)
    result = ingest("persons", src)
    assert (result.stored, result.n_rejected) == (20, 1)
    with ingest.store.session() as s:  # type: ignore[attr-defined]
        from scamnet.store.persons import PersonRepository

        assert PersonRepository(s).page()[0].names[0].text == "Míng Xuéchāng"


def test_surrounding_spaces_are_trimmed_and_blank_values_are_missing(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    # Per-row trimming is skipped for plain ASCII values; these need it: ASCII
    # spaces, a no-break space, an ideographic space, and values of spaces only.
    nbsp, ideo = "\u00a0", "\u3000"
    src = tmp_path / "c.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["caller", "callee", "start", "duration_s", "imei", "cell_id"])
        w.writerow([" +8613800138000 ", f"{nbsp}+8613900139000", f"2023-10-02 10:00:00Z{ideo}",
                    f" 61{nbsp}", "", f"{ideo}460-00-1-2 "])  # fmt: skip
        w.writerow(["+8613800138000", "+8613900139000", "2023-10-02 10:00:01Z", "5",
                    "490154203237518", "460-00-1-2"])  # fmt: skip
        w.writerow(["   ", "+8613900139000", "2023-10-02 10:00:02Z", "5", "", ""])
        w.writerow(["+8613800138000", "+8613900139000", f"{ideo} ", "5", "", ""])
        w.writerow(["+8613800138000", "+8613900139000", "2023-10-02 10:00:03Z", "5", nbsp, "x"])
    result = ingest("calls", src)
    assert dict(result.rejected) == {"missing caller": 1, "missing start": 1}
    assert result.stored == 3
    rows = pq.read_table(RecordLake(data_dir / "lake").files(RecordKind.CALLS)[0]).to_pylist()
    first = min(rows, key=lambda r: r["start"])
    assert first["caller"] == "+8613800138000" and first["callee"] == "+8613900139000"
    assert first["duration_s"] == 61 and first["cell_id"] == "460-00-1-2"
    assert first["imei"] is None  # optional and empty
    assert max(rows, key=lambda r: r["start"])["imei"] is None  # a no-break space is blank


def _calls_file(tmp_path: Path, name: str, rows: range) -> Path:
    path = tmp_path / name
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["caller", "callee", "start", "duration_s"])
        for i in rows:
            # Two UTC days, so the batch touches two partitions.
            w.writerow(["+8613800138000", f"+86139{i:08d}", f"2023-10-0{1 + i % 2} 10:00:00Z", 5])
    return path


def test_lake_key_sidecars_find_stored_rows_and_never_drop_new_ones(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    lake_root = data_dir / "lake"
    first = ingest("calls", _calls_file(tmp_path, "a.csv", range(0, 100)))
    sidecars = sorted((lake_root / "_keys").glob("*/calls/day=*/part-*.parquet"))
    assert first.stored == 100 and len(sidecars) == 2
    assert sum(pq.read_metadata(f).num_rows for f in sidecars) == 100

    # Overlap: 50 rows already stored, found through the sidecars.
    second = ingest("calls", _calls_file(tmp_path, "b.csv", range(50, 150)))
    assert (second.stored, second.already) == (50, 50)

    # A sidecar that claims every hash (as a collision would) does not make a new row
    # count as stored: rows whose hash is known are compared on the key itself.
    forged = sorted((lake_root / "_keys").glob("*/calls/day=*/part-*.parquet"))[0]
    claimed = pq.read_table(forged).column("k").to_pylist()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    new_keys = con.execute(
        "SELECT hash('+8613800138000', '+86139' || lpad(i::VARCHAR, 8, '0'), "
        "CAST('2023-10-0' || (1 + i % 2)::VARCHAR || ' 10:00:00Z' AS TIMESTAMPTZ)) "
        "FROM range(150, 200) t(i)"
    ).fetchall()
    pq.write_table(pa.table({"k": pa.array(claimed + [k for (k,) in new_keys], pa.uint64())}),
                   forged)  # fmt: skip
    third = ingest("calls", _calls_file(tmp_path, "c.csv", range(150, 200)))
    assert (third.stored, third.already) == (50, 0)

    # Without sidecars (an older lake, or another engine's hash) the keys are read
    # from the data files themselves.
    shutil.rmtree(lake_root / "_keys")
    fourth = ingest("calls", _calls_file(tmp_path, "d.csv", range(0, 220)))
    assert (fourth.stored, fourth.already) == (20, 200)
    assert lake_rows(data_dir, RecordKind.CALLS) == 220


@pytest.mark.parametrize("kind", sorted(LAKE_KINDS))
def test_lake_kinds_find_their_rows_again_in_another_file(
    kind: str, world: Path, data_dir: Path, ingest: IngestFn, tmp_path: Path
) -> None:
    # Messages key on their text, transfers on a decimal amount: the key hashes of
    # every key type must match between the batch and the sidecars.
    head, *body = (world / LAKE_KINDS[kind]).read_bytes().rstrip(b"\n").split(b"\n")
    first = ingest(kind, world / LAKE_KINDS[kind])
    (tmp_path / "again.csv").write_bytes(b"\n".join([head, *reversed(body)]) + b"\n")
    again = ingest(kind, tmp_path / "again.csv")
    assert (again.stored, again.already) == (0, first.stored)
    # And without the sidecars: hashes computed from the stored columns must equal
    # those computed while validating.
    shutil.rmtree(data_dir / "lake" / "_keys")
    (tmp_path / "third.csv").write_bytes(b"\n".join([head, *body[::2]]) + b"\n")
    third = ingest(kind, tmp_path / "third.csv")
    assert third.stored == 0 and third.already > 0
    assert lake_rows(data_dir, RecordKind(kind)) == first.stored

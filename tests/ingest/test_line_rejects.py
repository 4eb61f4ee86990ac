"""One bad line rejects that line, never the file; ordinary input never gives a traceback.

Issue 15, "What breaks today" case 5: an unbalanced quote, a stray line ending in a
CRLF file, mixed line endings, a quoted newline where a kind does or does not
allow one, a bad mapping, an oversize field, UTF-16.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.ingest.mapping import MappingError, load_mapping
from scamnet.ingest.sources import MAX_LINE
from scamnet.lake import RecordKind, RecordLake
from scamnet.store.models import PersonRow
from tests.ingest.conftest import IngestFn
from tests.support.users import register

HEADER = "caller,callee,start,duration_s"


def _calls(n: int) -> list[str]:
    return [f"+8613800138000,+86139001{i:05d},2023-10-01 10:{i % 60:02d}:00Z,5" for i in range(n)]


def _lake_rows(data_dir: Path, kind: RecordKind) -> int:
    return sum(pq.read_metadata(f).num_rows for f in RecordLake(data_dir / "lake").files(kind))


def test_an_unbalanced_quote_rejects_its_line_and_the_rest_is_read(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    rows = _calls(40)
    rows[5] = '+8613800138000,"+8613900139999,2023-10-01 10:00:00Z,5'
    (tmp_path / "q.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    result = ingest("calls", tmp_path / "q.csv")
    assert result.error is None
    assert result.rejected == {"unreadable line: unbalanced quote": 1}
    assert result.stored == 39 == _lake_rows(data_dir, RecordKind.CALLS)


def test_crlf_with_a_stray_newline_and_mixed_line_endings_are_read(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    rows = _calls(30)
    stray = HEADER + "\r\n" + "\r\n".join(rows[:10]) + "\n" + "\r\n".join(rows[10:]) + "\r\n"
    (tmp_path / "crlf.csv").write_bytes(stray.encode())
    assert ingest("calls", tmp_path / "crlf.csv").stored == 30
    mixed = HEADER + "\n" + "\r\n".join(rows[:5]) + "\r" + "\r".join(rows[5:10]) + "\n"
    (tmp_path / "mixed.csv").write_bytes(mixed.encode())
    result = ingest("calls", tmp_path / "mixed.csv")
    assert (result.read, result.already, result.n_rejected) == (10, 10, 0)


def test_an_oversize_field_rejects_its_line_only(tmp_path: Path, data_dir: Path,
                                                 ingest: IngestFn) -> None:  # fmt: skip
    rows = _calls(20)
    rows[3] = "+8613800138000,+8613900139999,2023-10-01 10:00:00Z," + "9" * (MAX_LINE + 10)
    (tmp_path / "big.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    result = ingest("calls", tmp_path / "big.csv")
    assert result.rejected == {f"unreadable line: longer than {MAX_LINE:,} bytes": 1}
    assert result.stored == 19


def test_a_quoted_newline_is_text_in_a_message_and_a_reject_in_a_name(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    (tmp_path / "m.csv").write_text(
        "sender,recipient,sent_at,text\n+8613800138000,+8613900139000,2023-10-01 10:00:00Z,"
        '"line one\nline two"\n'
    )
    assert ingest("messages", tmp_path / "m.csv").stored == 1
    text = pq.read_table(RecordLake(data_dir / "lake").files(RecordKind.MESSAGES)[0])["text"]
    assert text.to_pylist() == ["line one\nline two"]
    (tmp_path / "p.csv").write_text(
        'record_id,source_agency,name\nr1,SZPB,"Zhang\nWei"\nr2,SZPB,Li Na\n'
    )
    result = ingest("persons", tmp_path / "p.csv")
    assert result.error is None
    assert result.rejected == {"invalid name: line break or control characters": 1}
    with ingest.store.session() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(PersonRow.id).limit(1)) is not None


def test_bad_mappings_are_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "tz.yaml").write_text("timezone: Mars/Olympus\n")
    (tmp_path / "fmt.yaml").write_text('formats: {start: "%Y-%Q"}\n')
    (tmp_path / "nofmt.yaml").write_text('formats: {start: "YYYY"}\n')
    with pytest.raises(MappingError, match="unknown time zone 'Mars/Olympus'"):
        load_mapping(tmp_path / "tz.yaml")
    with pytest.raises(MappingError, match="not a valid strptime format"):
        load_mapping(tmp_path / "fmt.yaml")
    with pytest.raises(MappingError, match="no % directive"):
        load_mapping(tmp_path / "nofmt.yaml")
    (tmp_path / "c.csv").write_text(HEADER + "\n" + "\n".join(_calls(2)) + "\n")
    register(tmp_path / "d")
    result = CliRunner().invoke(app, ["ingest", "calls", str(tmp_path / "c.csv"), "--mapping",
                                      str(tmp_path / "tz.yaml"), "--data-dir",
                                      str(tmp_path / "d")])  # fmt: skip
    assert result.exit_code == 2
    assert "Mars/Olympus" in result.output and "Traceback" not in result.output


def test_utf16_is_read_with_its_byte_order_mark_and_refused_without_echo(
    tmp_path: Path, data_dir: Path, ingest: IngestFn
) -> None:
    text = HEADER + "\n" + "\n".join(_calls(12)) + "\n"
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-16"))  # with a byte-order mark
    assert ingest("calls", tmp_path / "bom.csv").stored == 12
    (tmp_path / "le.csv").write_bytes(text.encode("utf-16-le"))  # without one
    result = ingest("calls", tmp_path / "le.csv")
    assert result.error is not None and "UTF-16" in result.error
    assert "8613800138000" not in result.error and "\x00" not in result.error


def test_a_file_without_a_header_does_not_echo_its_first_row(
    tmp_path: Path, ingest: IngestFn
) -> None:
    (tmp_path / "nohead.csv").write_text("\n".join(_calls(3)) + "\n")
    result = ingest("calls", tmp_path / "nohead.csv")
    assert result.error is not None
    assert "does not look like a header" in result.error
    assert "8613800138000" not in result.error

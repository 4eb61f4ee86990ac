"""A pushed NDJSON batch read at once (Arrow) or line by line gives the same table.

`ndjson.parse_ndjson` takes a batch through Arrow's JSON reader only when that reads it
exactly as the line rule does; these tests put each kind of awkward line into an
otherwise good batch and check that the temp table ``raw`` (columns, their order,
every value as text), the line numbers and the rejects are the line rule's, and that
an ordinary batch does take the fast path.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from scamnet.ingest.ndjson import ParsedLines, parse_lines, parse_ndjson, read_batch
from scamnet.ingest.sources import MAX_LINE, RawTable

CALLS = ("caller", "callee", "start", "duration_s", "imei", "cell_id")
CON = duckdb.connect()  # one engine for the module: a connection costs more than a parse


def good(n: int, first: int = 0) -> list[bytes]:
    return [json.dumps({"caller": f"+86138{i % 7:08d}", "callee": f"+86139{i:08d}",
                        "start": f"2023-10-02T13:{i % 60:02d}:00Z", "duration_s": 30 + i}
                       ).encode() for i in range(first, first + n)]  # fmt: skip


def raw_of(parsed: ParsedLines) -> tuple[list[str], list[tuple[object, ...]]]:
    """The table ``raw`` the group intake builds from ``parsed``: its columns and rows."""
    con = CON
    table = RawTable(con)
    if parsed.table is not None:
        table.add_table(parsed.table)
    for row in parsed.rows:
        table.add(row)
    table.flush()
    if not table.created:
        return [], []
    names = [r[0] for r in con.execute("DESCRIBE raw").fetchall()]
    types = {r[1] for r in con.execute("DESCRIBE raw").fetchall()}
    assert types == {"VARCHAR"}
    return names, con.execute("SELECT * FROM raw ORDER BY rowid").fetchall()


def same_as_line_rule(body: bytes) -> ParsedLines:
    """Parse ``body`` both ways, assert they agree, and return the fast reading."""
    fast, slow = parse_ndjson(body, names=CALLS), parse_lines(body)
    assert raw_of(fast) == raw_of(slow)
    assert list(fast.lines) == list(slow.lines)
    assert fast.rejects == slow.rejects
    assert fast.columns == slow.columns and fast.count == slow.count
    return fast


def test_an_ordinary_batch_is_read_at_once_with_numbers_as_written() -> None:
    lines = good(50)
    lines[3] = b'{"caller": "+8613800000001", "callee": "+8613900000003", "start": ' \
               b'"2023-10-02T13:03:00Z", "duration_s": 0, "imei": null}'  # fmt: skip
    lines[7] = b'{"callee":"+8613900000007","caller":"+8613800000002","start":' \
               b'"2023-10-02T13:07:00Z","duration_s":9223372036854775807}'  # fmt: skip
    parsed = same_as_line_rule(b"\n".join(lines) + b"\n")
    assert parsed.table is not None  # the fast path, not the fallback
    assert parsed.table.column("duration_s").to_pylist()[:8] == [
        "30", "31", "32", "0", "34", "35", "36", "9223372036854775807"]  # fmt: skip
    # A key written with null is a column; one never written is not.
    assert parsed.columns == {"caller", "callee", "start", "duration_s", "imei"}
    # No newline at the end, booleans, an unexpected text column: still at once.
    tail = b'{"caller": "+8613800000009", "callee": "+8613900000009", "start": "x", ' \
           b'"duration_s": 7, "roaming": true, "note": "plain text"}'  # fmt: skip
    parsed = same_as_line_rule(b"\n".join(good(5)) + b"\n" + tail)
    assert parsed.table is not None
    assert parsed.table.column("roaming").to_pylist()[-1] == "true"


# A record whose duration is written as given.
DURATION = (
    b'{"caller": "+8613800000001", "callee": "+8613900000001", "start": "s", "duration_s": %s}'
)
AWKWARD: dict[str, bytes] = {
    "exponent": DURATION % b"1e3",
    "fraction": DURATION % b"1.50",
    "negative zero": DURATION % b"-0",
    "huge integer": DURATION % b"123456789012345678901234567890",
    "just over int64": DURATION % b"9223372036854775808",
    "number as identifier": b'{"caller": 8613800000001, "callee": "c", "duration_s": 5}',
    "nested object": b'{"caller": {"x": 1}, "callee": "+8613900000001", "duration_s": 5}',
    "array": b'{"caller": ["+8613800000001"], "callee": "c", "start": "s", "duration_s": 5}',
    "not json": b'{"caller": "+8613800000001", "callee"',
    "not an object": b'["+8613800000001", "+8613900000001"]',
    "a number line": b"12",
    "a string line": b'"caller"',
    "empty object": b"{}",
    "all nulls": b'{"caller": null, "callee": null}',
    "two objects on a line": b'{"caller": "+8613800000001"} {"caller": "+8613800000002"}',
    "trailing comma": b'{"caller": "+8613800000001",}',
    "trailing junk": b'{"caller": "+8613800000001"} x',
    "duplicate key": b'{"caller": "+8613800000001", "caller": "+8613800000002", "callee": "c"}',
    "NaN": b'{"caller": "+8613800000001", "duration_s": NaN}',
    "Infinity": b'{"caller": "+8613800000001", "duration_s": -Infinity}',
    "leading zero": b'{"caller": "+8613800000001", "duration_s": 01}',
    "blank line": b"",
    "spaces line": b"    ",
    "CRLF": b'{"caller": "+8613800000001", "callee": "c", "start": "s", "duration_s": 5}\r',
    "lone CR": b'{"caller": "+8613800000001"}\r{"caller": "+8613800000002"}',
    "tab in a string": b'{"caller": "+86138\t00000001", "callee": "c"}',
    "tab between tokens": b'{"caller":\t"+8613800000001", "callee": "c"}',
    "NUL escape": b'{"caller": "+86138\\u000000000001", "callee": "c"}',
    "lone surrogate": b'{"caller": "\\ud800", "callee": "c"}',
    "escaped quote": b'{"caller": "a\\"b", "callee": "c", "start": "s", "duration_s": 5}',
    "escaped key": b'{"\\u0063aller": "+8613800000001", "callee": "c"}',
    "byte-order mark": b'\xef\xbb\xbf{"caller": "+8613800000001", "callee": "c"}',
    "not UTF-8": b'{"caller": "\xff\xfe", "callee": "c"}',
    "GB18030 bytes": '{"caller": "张三", "callee": "c"}'.encode("gb18030"),
    "non-ASCII text": '{"caller": "+8613800000001", "callee": "c", "cell_id": "昆明"}'.encode(),
    "hostile strings": b'{"caller": "=cmd|\' /C calc\'!A0", "callee": "<script>alert(1)</script>", '
    b'"start": "\'; DROP TABLE x;--", "duration_s": "5"}',
    "timestamp in a new key": b'{"caller": "+8613800000001", "seen": "2023-10-02T13:00:00"}',
    "number in a new key": b'{"caller": "+8613800000001", "callee": "c", "extra": 7.5}',
    "null only in a new key": b'{"caller": "+8613800000001", "callee": "c", "gone": null}',
    "key with a colon": b'{"caller": "+8613800000001", "callee": "c", "a:b": null}',
    "value that looks like a key": b'{"caller": "imei", "callee": "c", "start": "imei :"}',
    "missing fields": b'{"caller": "+8613800000001"}',
    "string numbers": DURATION % b'"0012"',
}


@pytest.mark.parametrize("name", sorted(AWKWARD))
def test_an_awkward_line_is_read_as_the_line_rule_reads_it(name: str) -> None:
    for where in (0, 4, 9):  # first line, middle, last line (no newline after it)
        lines = good(9)
        lines.insert(where, AWKWARD[name])
        same_as_line_rule(b"\n".join(lines))
        same_as_line_rule(b"\n".join(lines) + b"\n")


def test_overlong_lines_and_empty_bodies_are_the_line_rules() -> None:
    lines = good(3)
    short = b"\n".join(lines)
    assert read_batch(short, CALLS, max_line=len(lines[0]) - 1) is None
    assert read_batch(short, CALLS, max_line=MAX_LINE) is not None
    for body in (b"", b"\n", b"  \n"):
        assert read_batch(body, CALLS, MAX_LINE) is None
        assert same_as_line_rule(body).count == 0

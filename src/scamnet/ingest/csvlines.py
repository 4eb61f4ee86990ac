"""The careful CSV reader: every line read or rejected on its own.

The engine's CSV reader is fast but gives up on a whole file for one bad line
(an unbalanced quote, a stray line ending in a CRLF file, a line over its size
limit). When it does, ingestion reads the file again here, line by line:

- Line endings may be ``\\r\\n``, ``\\n`` or ``\\r``, mixed within one file.
- A quoted field may span lines; a record whose quotes do not balance within
  ``MAX_JOIN`` lines or ``max_line`` bytes is one rejected line, and reading
  goes on with the line after it.
- A line longer than ``max_line`` bytes, a line with the wrong number of fields,
  or one that is not UTF-8 is rejected with its reason.

Rows go to the same DuckDB table ``raw`` as the fast path, in file order.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

MAX_JOIN = 200  # physical lines one quoted record may span
BATCH = 50_000
KEEP_TEXT = 4096  # characters of a rejected line kept in the rejects store
_ENDINGS = re.compile(rb"\r\n|\n|\r")


class Rejects(list[tuple[int, str, str]]):
    """(line, reason, text) of every line that could not be read."""

    def add(self, line: int, reason: str, raw: bytes) -> None:
        text = raw[: KEEP_TEXT * 4].decode("utf-8", errors="replace")[:KEEP_TEXT]
        self.append((line, f"unreadable line: {reason}", text))


def _physical(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes without its ending) of each physical line."""
    number = 0
    rest = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            data = rest + chunk
            # A chunk may end between "\r" and "\n": hold the "\r" back.
            carry = b""
            if data.endswith(b"\r"):
                data, carry = data[:-1], b"\r"
            parts = _ENDINGS.split(data)
            rest = parts.pop() + carry
            for part in parts:
                number += 1
                yield number, part
    parts = _ENDINGS.split(rest)
    if parts and parts[-1] == b"":
        parts.pop()
    for part in parts:
        number += 1
        yield number, part


def _records(path: Path, max_line: int, rejects: Rejects) -> Iterator[tuple[int, bytes]]:
    """(first line, record bytes) of each logical record; bad lines go to ``rejects``."""
    lines = _physical(path)
    back: deque[tuple[int, bytes]] = deque()  # lines read ahead and given back

    def take() -> tuple[int, bytes] | None:
        return back.popleft() if back else next(lines, None)

    while (item := take()) is not None:
        number, line = item
        if len(line) > max_line:
            rejects.add(number, f"longer than {max_line:,} bytes", line)
            continue
        if line.count(b'"') % 2 == 0:
            if line.strip():
                yield number, line
            continue
        # An open quote: the record goes on over the next lines until it closes.
        taken: list[tuple[int, bytes]] = []
        record, closed = line, False
        while len(taken) < MAX_JOIN and (nxt := take()) is not None:
            taken.append(nxt)
            if len(record) + len(nxt[1]) + 1 > max_line:
                break
            record += b"\n" + nxt[1]
            if nxt[1].count(b'"') % 2 == 1:
                closed = True
                break
        if closed:
            yield number, record
        else:
            rejects.add(number, "unbalanced quote", line)
            back.extendleft(reversed(taken))  # the lines after it are read on their own


def load_lines(
    con: duckdb.DuckDBPyConnection, path: Path, delim: str, max_line: int
) -> tuple[int, list[tuple[int, str, str]], np.ndarray]:
    """Load ``path`` into ``raw`` line by line: (rows, rejects, line of each row)."""
    rejects = Rejects()
    records = _records(path, max_line, rejects)
    header: list[str] | None = None
    for number, record in records:
        try:
            header = next(csv.reader([record.decode("utf-8")], delimiter=delim, strict=True))
            break
        except (UnicodeDecodeError, csv.Error):
            rejects.add(number, "the header cannot be read", record)
    if not header:
        return 0, list(rejects), np.zeros(0, dtype=np.int64)
    names = _unique(header)
    columns: list[list[str | None]] = [[] for _ in names]
    lines: list[int] = []
    created = False

    def flush() -> None:
        nonlocal created
        if not columns[0]:
            return
        table = pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)})
        con.register("csv_batch", table)
        con.execute("INSERT INTO raw SELECT * FROM csv_batch" if created
                    else "CREATE TEMP TABLE raw AS SELECT * FROM csv_batch")  # fmt: skip
        con.unregister("csv_batch")
        created = True
        for c in columns:
            c.clear()

    for number, record in records:
        try:
            text = record.decode("utf-8")
        except UnicodeDecodeError:
            rejects.add(number, "bytes that are not UTF-8", record)
            continue
        try:
            fields = next(csv.reader([text], delimiter=delim, strict=True))
        except csv.Error:
            rejects.add(number, "malformed quoting", record)
            continue
        if len(fields) != len(names):
            rejects.add(number, f"{len(fields)} fields where the header has {len(names)}", record)
            continue
        for c, value in zip(columns, fields, strict=True):
            c.append(value if value != "" else None)
        lines.append(number)
        if len(lines) % BATCH == 0:
            flush()
    flush()
    if not created:
        cols = ", ".join(f'CAST(NULL AS VARCHAR) AS "{n.replace(chr(34), chr(34) * 2)}"'
                         for n in names)  # fmt: skip
        con.execute(f"CREATE TEMP TABLE raw AS SELECT {cols} WHERE false")
    return len(lines), sorted(rejects), np.array(lines, dtype=np.int64)


def _unique(header: list[str]) -> list[str]:
    out: list[str] = []
    for i, name in enumerate(header):
        name = name.strip() or f"column{i}"
        while name in out:
            name += "_"
        out.append(name)
    return out

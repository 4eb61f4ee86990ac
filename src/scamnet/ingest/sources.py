"""Reading a source file, whatever its format, into a table of raw text columns.

CSV (any delimiter, UTF-8, GB18030 or UTF-16 with its byte-order mark), Parquet
and JSON Lines all end up as a DuckDB table ``raw`` of VARCHAR columns in file
order, plus the list of lines that could not be parsed at all, each with its
reason and the line as written. A line whose bytes are not in the file's
encoding is one of those: never a replacement character in a stored value.

Error messages name the file and what is wrong with it, never its content:
a data row in a message would carry a person's number into logs and terminals.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from scamnet.ingest.csvlines import load_lines
from scamnet.ingest.mapping import Mapping
from scamnet.lake.append import one_row

SAMPLE_BYTES = 1 << 20
# Larger read buffers than the engine's default read a big CSV a quarter faster
# on two cores (measured 12-24 MiB alike; 64 MiB and more are slower again).
CSV_BUFFER = 16 << 20
JSONL_BATCH = 50_000
# The longest line read (bytes): the engine's own limit, applied by both readers.
MAX_LINE = 2 << 20
BOMS = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}


class SourceError(ValueError):
    """The file as a whole cannot be read."""


@dataclass
class RawLoad:
    """What was read: ``rows`` parsed rows in table ``raw``; ``rejects`` (line, reason, text)."""

    fmt: str
    rows: int
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    lines: np.ndarray | None = None  # the file line of each parsed row, in order

    @property
    def rows_read(self) -> int:
        return self.rows + len(self.rejects)

    def line_of(self, ordinal: int) -> int:
        return int(self.lines[ordinal]) if self.lines is not None else ordinal + 1


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv", ".txt", ""):
        return "csv"
    raise SourceError(
        f"{path.name}: unknown format {suffix!r}; expected CSV, Parquet or JSON Lines"
    )


def _bad_lines(sample: bytes, encoding: str) -> int:
    if len(sample) >= SAMPLE_BYTES:
        sample = sample[: sample.rfind(b"\n") + 1]  # the last line may be cut short
    try:
        sample.decode(encoding)  # the usual case, at once rather than line by line
        return 0
    except UnicodeDecodeError:
        pass
    bad = 0
    for line in sample.splitlines():
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            bad += 1
    return bad


def detect_encoding(sample: bytes) -> str:
    """UTF-8 or GB18030, whichever decodes the sample's lines with fewer failures.

    A few undecodable lines in a UTF-8 file are bad rows, not a different encoding:
    they are rejected one by one. Ties go to UTF-8.
    """
    utf8 = _bad_lines(sample, "utf-8")
    if utf8 == 0:
        return "utf-8"
    lines = max(1, sample.count(b"\n"))
    gb = _bad_lines(sample, "gb18030")
    # GB18030 decodes almost any bytes (UTF-8 tone marks turn into 汉字 mojibake), so
    # fewer GB18030 failures prove little. A real GB18030 file fails UTF-8 on nearly
    # every line that is not plain ASCII; a UTF-8 file only on its few broken rows.
    non_ascii = sum(1 for line in sample.splitlines() if not line.isascii())
    if utf8 == 0 or utf8 <= gb or utf8 <= non_ascii // 5:
        if utf8 > lines // 2:
            raise SourceError("cannot tell the encoding (neither UTF-8 nor GB18030); declare it")
        return "utf-8"
    if gb > lines // 2:
        raise SourceError("cannot tell the encoding (neither UTF-8 nor GB18030); declare it")
    return "gb18030"


def detect_delimiter(sample: str) -> str:
    head = "\n".join(sample.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(head, delimiters=",|;\t").delimiter
    except csv.Error:
        return ","


def transcode(path: Path, encoding: str, workdir: Path) -> tuple[Path, list[tuple[int, str, str]]]:
    """A UTF-8 copy of ``path``, line for line, so line numbers still match.

    A line that does not decode is left empty in the copy and comes back as a
    reject (line, reason, text): its bytes are never guessed at.
    """
    target = workdir / f"{path.stem}.utf8.csv"
    rejects: list[tuple[int, str, str]] = []
    if encoding.startswith("utf-16"):
        # UTF-16 line endings are two bytes: decode the whole file (strictly).
        try:
            text = path.read_bytes().decode(encoding)
        except UnicodeDecodeError:
            raise SourceError(f"{path.name}: not valid {encoding.upper()}; declare the "
                              "file's encoding in the mapping") from None  # fmt: skip
        target.write_text(text.removeprefix("\ufeff"), encoding="utf-8", newline="")
        return target, rejects
    with path.open("rb") as src, target.open("wb") as dst:
        for number, line in enumerate(src, start=1):
            try:
                dst.write(line.decode(encoding).encode("utf-8"))
            except UnicodeDecodeError:
                reason = f"unreadable line: bytes that are not {encoding.upper()}"
                rejects.append((number, reason, line.decode(encoding, errors="replace")[:4096]))
                dst.write(b"\n")
    return target, rejects


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_raw(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, workdir: Path
) -> RawLoad:
    """Load ``path`` into the temp table ``raw`` (VARCHAR columns, file order)."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    fmt = detect_format(path)
    con.execute("DROP TABLE IF EXISTS raw")
    if fmt == "parquet":
        try:
            con.execute(f"CREATE TEMP TABLE raw AS SELECT * FROM read_parquet({_quote(str(path))})")
        except duckdb.Error:
            raise SourceError(f"{path.name}: not a readable Parquet file") from None
        cols = [(r[0], str(r[1])) for r in con.execute("DESCRIBE raw").fetchall()]
        # Nested values (structs, lists, maps) are kept as JSON, never the engine's repr.
        nested = ("STRUCT", "MAP", "[]", "UNION")
        fn = {c: "to_json" if any(n in t for n in nested) else "" for c, t in cols}
        casts = ", ".join(f"{fn[c]}({_ident(c)})::VARCHAR AS {_ident(c)}" for c, _ in cols)
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT {casts} FROM raw")
        n = one_row(con, "SELECT count(*) FROM raw")
        return RawLoad(fmt, int(n[0]) if n else 0)
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    encoding = mapping.encoding or BOMS.get(sample[:2])
    if encoding is None and sample.count(b"\x00") > len(sample) // 8:
        raise SourceError(f"{path.name}: looks like UTF-16 without a byte-order mark; "
                          "declare encoding: utf-16le (or utf-16be) in the mapping")  # fmt: skip
    try:
        encoding = encoding or detect_encoding(sample)
    except SourceError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
    if fmt == "jsonl":
        if encoding.startswith("utf-16"):
            raise SourceError(f"{path.name}: JSON Lines must be UTF-8 or GB18030, not UTF-16")
        return _load_jsonl(con, path, encoding)
    undecodable: list[tuple[int, str, str]] = []
    name = path.name
    if encoding != "utf-8":
        path, undecodable = transcode(path, encoding, workdir)
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
    text = sample.decode("utf-8", errors="replace")
    if not text.strip():
        raise SourceError(f"{name}: the file is empty")
    delim = mapping.delimiter or detect_delimiter(text)
    return _load_csv(con, path, delim, name, undecodable)


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, delim: str, name: str,
              undecodable: list[tuple[int, str, str]]) -> RawLoad:  # fmt: skip
    con.execute("DROP TABLE IF EXISTS rj_errors; DROP TABLE IF EXISTS rj_scans")
    try:
        con.execute(
            f"CREATE TEMP TABLE raw AS SELECT * FROM read_csv({_quote(str(path))}, header = true, "
            f"all_varchar = true, delim = {_quote(delim)}, quote = '\"', escape = '\"', "
            "ignore_errors = true, store_rejects = true, rejects_table = 'rj_errors', "
            "rejects_scan = 'rj_scans', null_padding = false, strict_mode = true, "
            f"max_line_size = {MAX_LINE}, buffer_size = {CSV_BUFFER})"
        )
    except duckdb.Error:
        # The engine gave up on the whole file (an unbalanced quote, a stray line
        # ending, an overlong line): read it line by line, rejecting only bad lines.
        # Its message is not shown: it quotes the file's rows.
        con.execute("DROP TABLE IF EXISTS raw")
        n, refused, lines = load_lines(con, path, delim, MAX_LINE)
        if not n and not refused:
            raise SourceError(f"{name}: not a readable CSV file") from None
        return RawLoad("csv", n, sorted(refused + undecodable), lines)
    rejects = undecodable + [
        (int(line), f"unreadable line: {error_type.lower()}", csv_line or "")
        for line, error_type, csv_line in con.execute(
            "SELECT line, error_type, csv_line FROM rj_errors ORDER BY line"
        ).fetchall()
    ]
    # One reject per line, even if the reader reported several problems with it.
    rejects = list({line: (line, reason, row) for line, reason, row in rejects}.values())
    n_row = one_row(con, "SELECT count(*) FROM raw")
    n = int(n_row[0]) if n_row else 0
    # Parsed rows keep file order, so their lines are the data lines minus the bad ones.
    keep = np.ones(n + len(rejects), dtype=bool)
    bad = np.array([r[0] for r in rejects], dtype=np.int64) - 2
    keep[bad[(bad >= 0) & (bad < len(keep))]] = False
    lines = (np.flatnonzero(keep) + 2)[:n]
    return RawLoad("csv", n, rejects, lines)


def _json_text(value: object) -> str | None:
    """A JSON value as the text a column holds: numbers as written, nested values as JSON."""
    if value is None:
        return None
    if isinstance(value, str):  # strings, and numbers as written (_Number)
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    # Objects and arrays are kept as JSON, never as a Python repr.
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


class _Number(str):
    """A JSON number kept as written: "1e3" stays "1e3" (and is rejected unless the
    mapping declares exponents), where a float would have become "1000.0"."""


def _plain(value: object) -> object:
    if isinstance(value, _Number):
        return json.loads(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


JsonRow = dict[str, str | None]
TEXT_TYPES = frozenset({str, _Number, type(None)})  # values a row holds as they are
# One decoder for every line: json.loads with hooks builds a new one per call.
DECODER = json.JSONDecoder(parse_float=_Number, parse_int=_Number, parse_constant=_Number)


def parse_json_line(line_no: int, raw_line: bytes, encoding: str
                    ) -> JsonRow | tuple[int, str, str] | None:  # fmt: skip
    """One JSON Lines line: its row of text values, a reject (line, reason, text), or
    None for a blank line. The one rule for a line, whether from a file or a push."""
    if not raw_line.strip():
        return None
    if len(raw_line) > MAX_LINE:
        return (line_no, f"unreadable line: longer than {MAX_LINE:,} bytes",
                _text(raw_line[:4096]))  # fmt: skip
    try:
        text = raw_line.decode(encoding)
    except UnicodeDecodeError:
        return (line_no, f"unreadable line: bytes that are not {encoding.upper()}",
                _text(raw_line))  # fmt: skip
    try:
        obj = DECODER.decode(text)
    except (json.JSONDecodeError, RecursionError):
        return (line_no, "unreadable line: not valid JSON", _text(raw_line))
    if not isinstance(obj, dict):
        return (line_no, "unreadable line: not a JSON object", _text(raw_line))
    if not obj:
        return (line_no, "unreadable line: an empty JSON object", _text(raw_line))
    if "\\u" in text and not _encodable(obj):
        # "\ud800" alone decodes to no character: no table or file can hold it.
        return (line_no, "unreadable line: an escaped lone surrogate, not a character",
                _text(raw_line))  # fmt: skip
    return {str(k): _json_text(v) for k, v in obj.items()}


def _encodable(obj: object) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class RawTable:
    """Builds the temp table ``raw`` from rows of text values, a batch at a time.

    Rows come as dictionaries (``add``) or as Arrow tables of text columns
    (``add_table``); either way a batch is ``JSONL_BATCH`` rows, so the columns come
    out in the same order whichever way the same rows arrived.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.columns: list[str] = []
        self.created = False
        self.chunks: list[list[JsonRow] | pa.Table] = []  # the batch's rows, in order
        self.pending = 0
        con.execute("DROP TABLE IF EXISTS raw")

    def add(self, row: JsonRow) -> None:
        if not self.chunks or not isinstance(self.chunks[-1], list):
            self.chunks.append([])
        last = self.chunks[-1]
        assert isinstance(last, list)
        last.append(row)
        self.pending += 1
        if self.pending >= JSONL_BATCH:
            self.flush()

    def add_table(self, table: pa.Table) -> None:
        start = 0
        while start < table.num_rows:
            take = min(table.num_rows - start, JSONL_BATCH - self.pending)
            self.chunks.append(table.slice(start, take))
            self.pending += take
            start += take
            if self.pending >= JSONL_BATCH:
                self.flush()

    def flush(self) -> None:
        con, chunks, columns = self.con, self.chunks, self.columns
        if not self.pending:
            return
        # Every key of every line counts: a key first seen late adds a column, and
        # the rows before it have no value there.
        keys: set[str] = set()
        for chunk in chunks:
            keys.update(chunk.column_names if isinstance(chunk, pa.Table) else
                        (k for row in chunk for k in row))  # fmt: skip
        new = sorted(keys - set(columns))
        for name in new:
            if self.created:
                con.execute(f"ALTER TABLE raw ADD COLUMN {_ident(name)} VARCHAR")
            columns.append(name)
        table = pa.table({c: pa.chunked_array([_column(chunk, c) for chunk in chunks], pa.string())
                          for c in columns})  # fmt: skip
        con.register("jsonl_batch", table)
        if self.created:
            con.execute("INSERT INTO raw BY NAME SELECT * FROM jsonl_batch")
        else:
            con.execute("CREATE TEMP TABLE raw AS SELECT * FROM jsonl_batch")
            self.created = True
        con.unregister("jsonl_batch")
        chunks.clear()
        self.pending = 0


def _column(chunk: list[JsonRow] | pa.Table, name: str) -> pa.Array | pa.ChunkedArray:
    if isinstance(chunk, pa.Table):
        if name in chunk.column_names:
            return chunk.column(name).combine_chunks()
        return pa.nulls(chunk.num_rows, pa.string())
    return pa.array([row.get(name) for row in chunk], pa.string())


def _load_jsonl(con: duckdb.DuckDBPyConnection, path: Path, encoding: str) -> RawLoad:
    rejects: list[tuple[int, str, str]] = []
    lines: list[int] = []
    table = RawTable(con)
    with path.open("rb") as fh:
        for line_no, raw_line in enumerate(fh, start=1):
            got = parse_json_line(line_no, raw_line, encoding)
            if got is None:
                continue
            if isinstance(got, tuple):
                rejects.append(got)
                continue
            table.add(got)
            lines.append(line_no)
    table.flush()
    if not table.columns:
        raise SourceError(f"{path.name}: no JSON object could be read")
    return RawLoad("jsonl", len(lines), rejects, np.array(lines, dtype=np.int64))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")

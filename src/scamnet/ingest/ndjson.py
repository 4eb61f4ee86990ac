"""A pushed NDJSON batch read into rows: at once by Arrow's JSON reader when that is
provably the same as the line rule, line by line otherwise.

The line rule (`sources.parse_json_line`) decodes each line in Python: numbers are
kept as written, booleans become "true"/"false", nested values their JSON, and a
line that is blank, not UTF-8, not JSON, not an object or an empty object is
skipped or rejected with its reason. Arrow's reader is several times faster per
line but knows none of this: it would read numbers as numbers, skip a byte-order
mark and blank lines, accept two objects on one line, and read ``{}`` as a row.

``read_batch`` therefore takes only the batches on which both readers provably agree
and returns None for any other, which then takes the line rule whole (the caller's
fallback), so the rows, columns, rejects and line numbers are the line rule's either
way. A batch is taken here only if:

- it is valid UTF-8 without a byte-order mark, with no control byte but the line
  feed (no tab, carriage return or NUL, raw or otherwise), and no backslash: with no
  escapes, every ``"`` in the body opens or closes a string, so the byte patterns
  below cannot match inside a string;
- no line is blank or longer than the engine's limit, so row *i* is line *i + 1* once
  the row count equals the line count (which also refuses two objects on one line);
- every number or ``true``/``false`` that is an object member's value (right after
  ``":`` or ``": ``) is quoted in place, as written, by two zero-width insertions;
  the two insertions must pair up exactly (an unpaired one refuses the batch), and a
  pair inserted inside a string leaves a digit or letter right after a closing
  quote, which no JSON allows, so Arrow refuses it. Any other number (``" : 1``,
  in an array, ``01``, ``NaN``) is left bare and Arrow refuses the batch, since
  every column must come out as text;
- Arrow reads it with every column as text (the kind's columns declared, others
  inferred; an inferred timestamp, number, list or object refuses the batch), no
  key repeated in an object, and no row without a single value (``{}``, or a row
  of nulls only, which the line rule may treat otherwise).

A column of nulls only is kept if its key is written in the batch (``{"imei": null}``
is a column for the line rule) and dropped if not.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from scamnet.ingest.sources import DECODER, MAX_LINE, TEXT_TYPES, JsonRow, parse_json_line

_READ = pj.ReadOptions(use_threads=False, block_size=1 << 30)
# Every byte but those that rule a batch out at once: control bytes but the line
# feed, and the escape character (with no escapes, every quote opens or closes a
# string, and a string's bytes are its value).
_ALLOWED = bytes(b for b in range(256) if b == 10 or (b >= 32 and b != ord("\\")))
_MISTYPED = re.compile(
    r"JSON parse error: Column\(/(.+)\) changed from string to (?:number|boolean)"
)
_NEGATIVE_ZERO = re.compile(rb"-0 *[,}]")
# Per set of expected columns, those that batches have sent as numbers or booleans:
# they are left to Arrow to type (and written back as text), the others read as text.
_TYPED: dict[tuple[str, ...], set[str]] = {}
_OPTIONS: dict[tuple[tuple[str, ...], frozenset[str]], pj.ParseOptions] = {}


def _options(names: tuple[str, ...], typed: frozenset[str]) -> pj.ParseOptions:
    options = _OPTIONS.get((names, typed))
    if options is None:
        schema = pa.schema([(n, pa.string()) for n in dict.fromkeys(names) if n not in typed])
        options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer",
                                  newlines_in_values=False)  # fmt: skip
        _OPTIONS[(names, typed)] = options
    return options


def read_batch(body: bytes, names: Iterable[str], max_line: int) -> pa.Table | None:
    """The rows of ``body`` as text columns (only the keys written), or None.

    Args:
        body: the NDJSON batch as received.
        names: the columns expected (read as text; others are typed by Arrow).
        max_line: the longest line the line rule reads, in bytes.

    Returns:
        One row per line, in order, exactly as the line rule would build them; None
        when the batch is not one that this reader provably reads alike.
    """
    content = body[:-1] if body.endswith(b"\n") else body
    if not content or content.translate(None, _ALLOWED):
        return None
    if not content.isascii():
        if b"\xef\xbb\xbf" in content:  # a byte-order mark: Arrow skips it, the rule not
            return None
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
    lines = content.count(b"\n") + 1
    if len(content) > max_line:
        data = np.frombuffer(content, dtype=np.uint8)
        bounds = np.concatenate(([-1], np.flatnonzero(data == ord("\n")), [len(data)]))
        if int(np.diff(bounds).max()) - 1 > max_line:
            return None
    spaceless = content.replace(b" ", b"")  # a blank line: Arrow skips it, the rule too
    if not spaceless or spaceless[0] == 10 or spaceless[-1] == 10 or b"\n\n" in spaceless:
        return None
    table = _read(content, tuple(names))
    if table is None or table.num_rows != lines:  # also refuses two objects on one line
        return None
    return _text_columns(table, content)


def _read(content: bytes, names: tuple[str, ...]) -> pa.Table | None:
    typed = _TYPED.setdefault(names, set())
    while True:
        try:
            return pj.read_json(io.BytesIO(content), read_options=_READ,
                                parse_options=_options(names, frozenset(typed)))  # fmt: skip
        except (pa.ArrowInvalid, ValueError) as exc:
            # An expected column sent as numbers: learnt once, then typed by Arrow.
            match = _MISTYPED.match(str(exc))
            if match is None or match[1] not in names or match[1] in typed:
                return None
            typed.add(match[1])


def _text_columns(table: pa.Table, content: bytes) -> pa.Table | None:
    """Arrow's columns as the line rule's text, or None if one cannot be told alike.

    Text is kept; a whole number is its digits as written (JSON allows no other
    spelling of an integer but ``-0``, which refuses the batch); a boolean is
    "true" or "false"; a column of nulls is text. A fraction or an exponent (read as
    a float), a timestamp (inferred from text), a list or an object refuses it.
    """
    keep: dict[str, pa.ChunkedArray] = {}
    empty = None  # rows with no value in any column so far
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if kind == pa.int64():
            if pc.any(pc.equal(column, 0)).as_py() and _NEGATIVE_ZERO.search(content):
                return None
            column = column.cast(pa.string())
        elif kind in (pa.null(), pa.bool_()):
            column = column.cast(pa.string())
        elif kind != pa.string():
            return None
        nulls = pc.is_null(column)
        empty = nulls if empty is None else pc.and_(empty, nulls)
        if column.null_count == len(column):
            written = _written(name, content)
            if written is None:
                return None
            if not written:
                continue
        keep[name] = column
    if empty is None or pc.any(empty).as_py():
        return None
    return pa.table(keep)


def _written(name: str, content: bytes) -> bool | None:
    """Whether ``name`` is a key of some object in ``content`` (None: cannot tell).

    With no escapes in the body, a key needing one cannot be in it; a plain key is
    ``"name"`` followed by a colon (a string value followed by a colon is not JSON).
    """
    raw = name.encode("utf-8")
    if any(c in raw for c in b'"\\'):
        return False
    if any(c in raw for c in b"{}[],: ") or not raw:  # structural bytes: not decided here
        return None
    if b'"' + raw + b'"' not in content:
        return False
    return re.search(b'"' + re.escape(raw) + b'" *:', content) is not None


@dataclass
class ParsedLines:
    """The lines of one NDJSON body: rows, their line numbers, and the lines rejected.

    The rows are dictionaries (the line rule) or, when the whole batch was read at
    once (`read_batch`), one Arrow table of text columns; never both.
    """

    rows: list[JsonRow] = field(default_factory=list)
    lines: Sequence[int] = field(default_factory=list)
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    table: pa.Table | None = None

    @property
    def count(self) -> int:
        return self.table.num_rows if self.table is not None else len(self.rows)

    @property
    def columns(self) -> set[str]:
        if self.table is not None:
            return set(self.table.column_names)
        return {k for row in self.rows for k in row}


def parse_ndjson(body: bytes, encoding: str = "utf-8", names: Iterable[str] = ()) -> ParsedLines:
    """Every line of an NDJSON body (a pushed batch) by the rule of ``parse_json_line``.

    A UTF-8 batch that Arrow's reader provably reads alike is read at once
    (``names``: the columns expected); any other goes line by line.
    """
    if encoding == "utf-8":
        table = read_batch(body, names, MAX_LINE)
        if table is not None:
            return ParsedLines(lines=range(1, table.num_rows + 1), table=table)
    return parse_lines(body, encoding)


def parse_lines(body: bytes, encoding: str = "utf-8") -> ParsedLines:
    """Every line of an NDJSON body, one by one, by the rule of ``parse_json_line``."""
    out = ParsedLines()
    decode, rows, lines = DECODER.decode, out.rows, []
    for line_no, raw_line in enumerate(body.splitlines(keepends=True), start=1):
        # The common line first, in as few steps as the rule allows: a flat object of
        # text and numbers is already its row (JSON keys are text; numbers stay as
        # written). Anything else takes the whole rule below, which decides alike.
        if len(raw_line) <= MAX_LINE:
            try:
                obj = decode(raw_line.decode(encoding))
            except (ValueError, RecursionError):  # not UTF-8, not JSON: the rule says why
                obj = None
            if (
                type(obj) is dict
                and obj
                and TEXT_TYPES.issuperset(map(type, obj.values()))
                and b"\\u" not in raw_line
            ):  # an escape may hide a lone surrogate
                rows.append(obj)
                lines.append(line_no)
                continue
        got = parse_json_line(line_no, raw_line, encoding)
        if got is None:
            continue
        if isinstance(got, tuple):
            out.rejects.append(got)
        else:
            out.rows.append(got)
            lines.append(line_no)
    out.lines = lines
    return out

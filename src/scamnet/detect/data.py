"""Reading the inputs of the model commands: tables, ids, labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ID_COLUMNS = ("id", "node", "nodeid", "msisdn", "message_id", "url_id", "account")
NORMAL_NAMES = ("正常", "ham", "OK", "benign", "normal", "0", "False", "false")


class InputError(ValueError):
    """An input file cannot be used as asked."""


def read_table(path: Path) -> pa.Table:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pq.read_table(path)
        if suffix in (".jsonl", ".ndjson"):
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                    if line.strip()]  # fmt: skip
            return pa.Table.from_pylist(rows)
        return pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 24))
    except (pa.ArrowInvalid, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None


def column(table: pa.Table, name: str, path: Path | str = "input") -> list[str]:
    return strings(arrow_column(table, name, path))


def arrow_column(table: pa.Table, name: str, path: Path | str = "input") -> pa.ChunkedArray:
    if name not in table.column_names:
        raise InputError(f"{path}: no column {name!r} (columns: {', '.join(table.column_names)})")
    return table.column(name)


def strings(values: pa.Array | pa.ChunkedArray) -> list[str]:
    """An Arrow column as the model commands read it: text, nulls as ``""``."""
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return list(pc.fill_null(values, "").to_pylist())  # no Python step a row
    return ["" if v is None else str(v) for v in values.to_pylist()]


def id_column(table: pa.Table) -> str | None:
    return next((c for c in ID_COLUMNS if c in table.column_names), None)


def normal_class(labels: list[str], given: str | None) -> str:
    classes = sorted(set(labels))
    if given is not None:
        if given not in classes:
            raise InputError(f"--normal-class {given!r} is not a label (labels: {classes})")
        return given
    found = [c for c in classes if c in NORMAL_NAMES]
    if len(found) != 1:
        raise InputError(f"cannot tell the normal class among {classes}; give --normal-class")
    return found[0]


def numeric_matrix(
    table: pa.Table, exclude: set[str], wanted: list[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """The numeric columns of ``table`` as floats (NaN for missing), row-major.

    In table order, or in the order of ``wanted`` (a model's training columns, each
    of which the table must have; one with no value at all is all NaN). Each column
    is written once into a column-major block, then the block is transposed in one
    pass: the row-major matrix the trees read, at the cost of one copy.
    """
    numeric = [
        name
        for name in table.column_names
        if name not in exclude and _is_numeric(table.schema.field(name).type)
    ]
    names = numeric if wanted is None else list(wanted)
    if not names:
        raise InputError("the input has no numeric feature columns")
    if wanted is not None:
        _check_wanted(table, wanted)
    present = set(numeric)
    block = np.empty((table.num_rows, len(names)), order="F")
    for j, name in enumerate(names):
        col = block[:, j]
        if name not in present:
            col[:] = np.nan
            continue
        # Nulls become NaN in Arrow: converting a column with nulls is ten times slower.
        floats = pc.fill_null(table.column(name).cast(pa.float64()), np.nan)
        col[:] = floats.to_numpy()
        col[~np.isfinite(col)] = np.nan
    return np.ascontiguousarray(block), names


def _check_wanted(table: pa.Table, wanted: list[str]) -> None:
    """Scoring with a column missing or holding text would score every row on made-up
    values, so it is refused with the columns named."""
    missing = [name for name in wanted if name not in table.column_names]
    if missing:
        more = f" (+{len(missing) - 8} more)" if len(missing) > 8 else ""
        shown = ", ".join(missing[:8]) + more
        raise InputError(f"the input lacks {len(missing)} of the model's feature columns: {shown}")
    for name in wanted:
        typ = table.schema.field(name).type
        if not (_is_numeric(typ) or pa.types.is_null(typ)):
            raise InputError(f"column {name!r} must be numeric, as in training; it holds {typ}")


def _is_numeric(typ: pa.DataType) -> bool:
    return bool(pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ))

"""Appending rows held in a DuckDB relation to the lake, skipping rows already stored.

Used by ingestion: the rows never pass through Python. Rows whose natural key is
already in the lake (for the days the batch touches) are counted, not written.
"""

from __future__ import annotations

import duckdb

from scamnet.lake.layout import RecordLake
from scamnet.lake.schemas import SCHEMAS, TIME_COLUMN, RecordKind

ARROW_TO_SQL = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "timestamp[us, tz=UTC]": "TIMESTAMPTZ",
    "decimal128(18, 2)": "DECIMAL(18,2)",
}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def append_relation(
    con: duckdb.DuckDBPyConnection,
    lake: RecordLake,
    kind: RecordKind,
    relation: str,
    key: tuple[str, ...],
    tag: str,
) -> tuple[int, int]:
    """Write the rows of ``relation`` not yet in the lake; return (written, already stored)."""
    schema = SCHEMAS[kind]
    time_col = TIME_COLUMN[kind]
    cols = ", ".join(
        f'CAST("{f.name}" AS {ARROW_TO_SQL[str(f.type)]}) AS "{f.name}"' for f in schema
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW lake_in AS SELECT {cols} FROM {relation}")
    day = f"CAST(timezone('UTC', \"{time_col}\") AS DATE)"  # partitions are UTC days
    days = [d for (d,) in con.execute(f"SELECT DISTINCT {day} FROM lake_in").fetchall()]
    existing = [
        str(f) for d in days for f in (lake.kind_dir(kind) / f"day={d}").glob("part-*.parquet")
    ]
    source = "lake_in"
    if existing:
        files = "[" + ", ".join(_q(f) for f in existing) + "]"
        keys = ", ".join(f'"{k}"' for k in key)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW lake_new AS SELECT * FROM lake_in ANTI JOIN "
            f"(SELECT {keys} FROM read_parquet({files})) ex USING ({keys})"
        )
        source = "lake_new"
    total_row = con.execute("SELECT count(*) FROM lake_in").fetchone()
    total = int(total_row[0]) if total_row else 0
    if not total:
        return 0, 0
    target = lake.kind_dir(kind)
    target.mkdir(parents=True, exist_ok=True)
    # Snappy: the usual lake codec; it writes a third faster than zstd here.
    written = con.execute(
        f"COPY (SELECT *, {day} AS day FROM {source}) TO {_q(str(target))} "
        f"(FORMAT parquet, PARTITION_BY (day), FILENAME_PATTERN 'part-{tag}-{{i}}', "
        "COMPRESSION snappy, OVERWRITE_OR_IGNORE true)"
    ).fetchone()
    new = int(written[0]) if written else 0
    return new, total - new

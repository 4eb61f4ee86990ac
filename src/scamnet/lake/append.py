"""Appending rows held in a DuckDB relation to the lake, skipping rows already stored.

Used by ingestion: the rows never pass through Python. Rows whose natural key is
already in the lake (for the days the batch touches) are counted, not written.

Each data file has a sidecar holding the hash of every row's natural key, under
``<lake>/_keys/<hash fingerprint>/<kind>/day=…/`` with the data file's name,
committed in the same commit record as the data file.
Checking a batch against a day then reads one integer column instead of the key
columns of every file, and only rows whose hash is already there are compared on
the key itself, so a hash collision can never drop a row. A data file without a
committed sidecar (written by an older version, or by ``RecordLake.write``) has its hashes
computed from its key columns; the fingerprint changes with the engine's hash
function, so sidecars from another hash are never trusted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from scamnet.lake.faults import crash_point
from scamnet.lake.keyindex import KeyIndex
from scamnet.lake.layout import Snapshot
from scamnet.lake.schemas import SCHEMAS, TIME_COLUMN
from scamnet.lake.writer import LakeWriter

ARROW_TO_SQL = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "timestamp[us, tz=UTC]": "TIMESTAMPTZ",
    "decimal128(18, 2)": "DECIMAL(18,2)",
}
# zstd at level 1 writes faster than snappy here and makes files a third smaller.
# No dictionaries: the writer tries one on every column and gives up on numbers,
# handsets and times anyway; plain pages write a sixth faster for 5% more bytes.
PARQUET = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, DICTIONARY_SIZE_LIMIT 1"
US_PER_DAY = 86_400_000_000


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(paths: list[Path]) -> str:
    return "[" + ", ".join(_q(str(p)) for p in paths) + "]"


_FINGERPRINTS: dict[str, str] = {}


def one_row(con: duckdb.DuckDBPyConnection, query: str) -> tuple[Any, ...] | None:
    """The one row of ``query`` (an aggregate), its result read to the end.

    DuckDB 2 keeps an ``execute()``'s result open until a fetch comes back empty, and
    refuses a relation on the connection meanwhile: ``fetchone()`` alone would leave
    the next ``con.sql(...)`` (the rows a commit stored, a query's table) failing.
    """
    rows = con.execute(query).fetchall()
    return tuple(rows[0]) if rows else None


def key_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Names the engine's hash function by its value on a fixed key of each type
    (computed once per engine version in a process)."""
    found = _FINGERPRINTS.get(duckdb.__version__)
    if found is not None:
        return found
    row = one_row(
        con,
        "SELECT hash('scamnet', 1::INTEGER, TIMESTAMPTZ '2023-10-01 00:00:00+00', "
        "1.5::DECIMAL(18,2))",
    )
    found = _FINGERPRINTS[duckdb.__version__] = f"{int(row[0]) if row else 0:016x}"
    return found


def _days(lo: datetime, hi: datetime) -> list[date]:
    first, last = lo.astimezone(UTC).date(), hi.astimezone(UTC).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _existing_hashes(
    snap: Snapshot, fingerprint: str, days: list[date], keys: str
) -> tuple[str | None, list[Path]]:
    """A query of the key hashes already stored on ``days``, and those days' data files.

    Only committed files count, and only sidecars committed with them.
    """
    sidecars: list[Path] = []
    bare: list[Path] = []
    data = snap.files_on(d.isoformat() for d in days)
    for f in data:
        side = snap.sidecar(fingerprint, f)
        if side is not None and side.is_file():
            sidecars.append(side)
        else:
            bare.append(f)
    queries = []
    if sidecars:
        queries.append(f"SELECT k FROM read_parquet({_list(sidecars)})")
    if bare:
        queries.append(f"SELECT hash({keys}) AS k FROM read_parquet({_list(bare)})")
    return (" UNION ALL ".join(queries) if queries else None), data


def append_relation(
    con: duckdb.DuckDBPyConnection,
    writer: LakeWriter,
    relation: str,
    key: tuple[str, ...],
    key_hash: str | None = None,
    keep_new: str | None = None,
    carry: tuple[str, ...] = (),
    index: KeyIndex | None = None,
) -> tuple[int, int]:
    """Write the rows of ``relation`` not yet in the lake; return (written, already stored).

    The rows are committed as one batch through ``writer`` (which holds the kind's
    writer lock): visible all at once, or, if the process dies first, never.

    ``key_hash`` names a column of ``relation`` that already holds the hash of the
    key columns with the lake's types (ingestion computes it while validating);
    without it the hash is computed here. ``keep_new`` names a temporary table that
    receives the rows written (the stream scores only records it has not seen), with
    the columns of ``relation`` named in ``carry`` (never written to the lake).
    ``index``: a long-lived writer's key hashes (`scamnet.lake.keyindex`), read instead
    of every sidecar of the days at every commit.
    """
    lake, kind = writer.lake, writer.kind
    schema = SCHEMAS[kind]
    time_col = TIME_COLUMN[kind]
    keys = ", ".join(f'"{k}"' for k in key)
    cols = ", ".join(
        f'CAST("{f.name}" AS {ARROW_TO_SQL[str(f.type)]}) AS "{f.name}"' for f in schema
    )
    hashed = f'"{key_hash}"' if key_hash else f"hash({keys})"
    extra = "".join(f', "{c}"' for c in carry)
    # Rows to keep are made a table at once, and those already stored deleted from it:
    # every later statement reads the table instead of the view's casts again, and no
    # second table is made. Without ``keep_new`` (a file), a view as before.
    source = keep_new or "lake_in"
    con.execute(
        f"CREATE OR REPLACE TEMP {'TABLE' if keep_new else 'VIEW'} {source} AS "
        f"SELECT {cols}, {hashed} AS __k{extra} FROM {relation}"
    )
    dropped = ", ".join(["__k", *(f'"{c}"' for c in carry)])
    t = f'"{time_col}"'
    bounds = one_row(con, f"SELECT count(*), min({t}), max({t}) FROM {source}")
    total = int(bounds[0]) if bounds else 0
    if not total or bounds is None or bounds[1] is None:
        return 0, 0
    fingerprint = key_fingerprint(con)
    snap = lake.snapshot(kind)
    days = _days(bounds[1], bounds[2])
    if index is not None:
        stored = index.stored(con, snap, fingerprint, [d.isoformat() for d in days], keys)
        data = snap.files_on(d.isoformat() for d in days)
    else:
        stored, data = _existing_hashes(snap, fingerprint, days, keys)
    if stored:
        # The hashes already stored, fetched: none, as a rule, for records streamed as
        # they happen (one statement for a commit that pays some thirty).
        seen = con.execute(
            f"SELECT DISTINCT __k FROM {source} SEMI JOIN ({stored}) s ON s.k = {source}.__k"
        ).fetchall()
        if seen:
            # Some hashes are already stored: compare those rows on the key itself.
            con.execute(
                "CREATE OR REPLACE TEMP TABLE lake_seen AS SELECT unnest(?::UBIGINT[]) AS __k",
                [[int(k) for (k,) in seen]],
            )
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE lake_dup AS SELECT DISTINCT {keys} "
                f"FROM read_parquet({_list(data)}) "
                f"WHERE hash({keys}) IN (SELECT __k FROM lake_seen)"
            )
            if keep_new:  # the rows of the anti-join below, in their order
                same = " AND ".join(f'd."{k}" = {keep_new}."{k}"' for k in key)
                con.execute(f"DELETE FROM {keep_new} WHERE EXISTS "
                            f"(SELECT 1 FROM lake_dup d WHERE {same})")  # fmt: skip
            else:
                con.execute(
                    "CREATE OR REPLACE TEMP VIEW lake_new AS SELECT * FROM lake_in "
                    f"ANTI JOIN lake_dup USING ({keys})"
                )
                source = "lake_new"
    # Partitions are UTC days. Computed from the instant's microseconds: several
    # times cheaper than a time-zone conversion per row (floor: days before 1970).
    day = f"DATE '1970-01-01' + CAST(floor(epoch_us({t}) / {US_PER_DAY}) AS INTEGER)"
    target = lake.kind_dir(kind)
    target.mkdir(parents=True, exist_ok=True)
    layout = f"PARTITION_BY (day), FILENAME_PATTERN '{writer.pattern()}', OVERWRITE_OR_IGNORE true"
    crash_point("write")
    written = con.execute(
        f"COPY (SELECT * EXCLUDE ({dropped}), {day} AS day FROM {source}) TO {_q(str(target))} "
        f"({PARQUET}, {layout})"
    ).fetchone()
    new = int(written[0]) if written else 0
    if new:
        sidecar = lake.keys_dir(kind, fingerprint)
        sidecar.mkdir(parents=True, exist_ok=True)
        crash_point("sidecar")
        con.execute(
            f"COPY (SELECT __k AS k, {day} AS day FROM {source}) TO {_q(str(sidecar))} "
            f"({PARQUET}, {layout})"
        )
        files = writer.written(target)
        writer.commit(new, files, {fingerprint: writer.written(sidecar)})
        if index is not None:  # published: these rows are the lake's now
            index.committed(con, snap, fingerprint, source, day, files)
    return new, total - new

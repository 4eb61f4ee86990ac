"""Ingesting files of one kind: read, map, validate, set rejects aside, store.

Each file is read into DuckDB (bounded memory: the engine spills to disk),
validated column by column, de-duplicated on its natural key, and written to
its destination: the record lake for calls, messages and transfers, the
relational store for everything else. Nothing is dropped silently: every row
read ends up stored, already stored, or rejected with its reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from scamnet.ingest.kinds import KINDS, KindSpec
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.ports import AuditTrail, IngestLedger, RecordSink
from scamnet.ingest.rejects import RejectStore
from scamnet.ingest.sources import RawLoad, SourceError, load_raw
from scamnet.ingest.validate import LookupCache, validated_sql
from scamnet.lake.append import append_relation, one_row
from scamnet.lake.check import clean_workdirs
from scamnet.lake.durable import private_dir
from scamnet.lake.faults import crash_point
from scamnet.lake.keyindex import KeyIndex
from scamnet.lake.layout import RecordLake
from scamnet.lake.lock import WriterLock
from scamnet.lake.schemas import RecordKind
from scamnet.settings import Settings

HASH_CHUNK = 1 << 22


@dataclass
class FileResult:
    path: str
    read: int = 0
    stored: int = 0
    already: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    skipped_same_content: bool = False
    error: str | None = None
    lines: list[tuple[int, str]] = field(default_factory=list)  # rejected: line, reason
    new_rows: Any = None  # a pyarrow Table of the rows stored, when asked for (the stream)

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())


@dataclass
class IngestSummary:
    kind: str
    files: list[FileResult] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    @property
    def rejected(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for f in self.files:
            out.update(f.rejected)
        return out

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


UnitOfWork = Callable[[], AbstractContextManager[tuple[IngestLedger, RecordSink, AuditTrail]]]


class Ingestor:
    """Takes files of one kind in. Wire it with a ledger, a sink and the lake.

    One ingest of a kind runs at a time per data directory: the kind's writer lock
    is held from the ledger's "seen?" to its record, so two runs never both store
    the same rows or both count them.
    """

    def __init__(self, data_dir: Path, memory_limit: str = "1GB", threads: int = 2,
                 settings: Settings | None = None, lookup_limit: int | None = None,
                 ) -> None:  # fmt: skip
        """``lookup_limit``: identifiers remembered as validated, per type, before the
        cache starts again (a long-lived intake); without it, every one of the run."""
        self.settings = settings or Settings.from_env(data_dir)
        self.lookup_limit = lookup_limit
        private_dir(self.settings.data_dir)
        self.lake = RecordLake(self.settings.lake_dir)
        self.rejects = RejectStore(self.settings.rejects_dir)
        tmp = private_dir(self.settings.tmp_dir)
        clean_workdirs(tmp)  # scratch space of ingests that were killed
        self.workdir = Path(tempfile.mkdtemp(prefix=f"ingest-{os.getpid()}-", dir=tmp))
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self.workdir}'")
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET TimeZone = 'UTC'")
        self.caches: dict[str, LookupCache] = {}
        # A long-lived intake sets one (scamnet.lake.keyindex): the day's key hashes
        # kept between commits instead of read from every sidecar at every commit.
        self.key_index: KeyIndex | None = None

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def lock(self, kind: str) -> WriterLock:
        """The writer lock of ``kind`` in this data directory."""
        return WriterLock(self.settings.locks_dir / f"ingest-{kind}.lock", f"ingest of {kind}",
                          self.settings.lock_wait_s)  # fmt: skip

    def ingest_files(
        self, kind: str, paths: list[Path], mapping: Mapping, unit_of_work: UnitOfWork,
        actor: str, on_file: Callable[[FileResult], None] | None = None,
    ) -> IngestSummary:  # fmt: skip
        """Take files in, each in its own unit of work, holding the kind's lock throughout.

        Each file's outcome is recorded in the audit log by ``actor``.

        Raises:
            WriterBusy: another ingest of ``kind`` holds the lock past the wait.
        """
        summary = IngestSummary(kind)
        with self.lock(kind):
            for path in paths:
                with unit_of_work() as (ledger, sink, audit):
                    result = self.ingest_file(kind, path, mapping, ledger, sink)
                    audit.append(actor, "ingest", f"ingest:{kind}", _audit_detail(result))
                crash_point("ledger")
                summary.files.append(result)
                if on_file is not None:
                    on_file(result)
        return summary

    def ingest_file(
        self, kind: str, path: Path, mapping: Mapping, ledger: IngestLedger, sink: RecordSink,
        label: str | None = None, keep_new: bool = False,
    ) -> FileResult:  # fmt: skip
        """Take one file in; a file that cannot be read at all comes back with ``error`` set.

        ``label`` names the source in the rejects and the ledger instead of the path (a
        pushed batch); ``keep_new`` returns the rows stored in ``FileResult.new_rows``.
        """
        spec = KINDS[kind]
        cache = self.cache(mapping.region)
        result = FileResult(label or str(path))
        try:
            with self.lock(kind):
                self._one(spec, path, mapping, cache, result, ledger, sink, keep_new)
        except SourceError as exc:
            result.error = str(exc)
        return result

    def cache(self, region: str) -> LookupCache:
        """The identifiers validated so far for ``region`` (built once per region)."""
        found = self.caches.get(region)
        if found is None:
            found = self.caches[region] = LookupCache(self.con, region, self.lookup_limit)
        return found

    def _one(self, spec: KindSpec, path: Path, mapping: Mapping, cache: LookupCache,
             result: FileResult, ledger: IngestLedger, sink: RecordSink,
             keep_new: bool = False) -> None:  # fmt: skip
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        # The file's hash is computed while the engine reads it: hashing is one core's
        # work and the read leaves some free. A file already taken in is read for
        # nothing, which costs less than hashing first on every new file.
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(file_hash, path)
            try:
                crash_point("read")
                load = load_raw(self.con, path, mapping, self.workdir)
            finally:
                sha = digest.result()
        if ledger.seen(sha, spec.name):
            result.skipped_same_content = True
            return
        mapping = self._complete(spec, mapping, path)
        result.read = load.rows_read
        self.validate(spec, mapping, cache)
        refused = self._refused(load)
        for line, reason, _row in refused:
            result.rejected[reason] += 1
            result.lines.append((line, reason))
        tag = sha[:16]
        self.rejects.write(spec.name, tag, result.path, refused)
        stored, already, new_rows = self.store_valid(spec, sink, tag, keep_new)
        result.stored, result.already, result.new_rows = stored, already, new_rows
        ledger.record(sha, spec.name, result.path, result.read, stored, result.n_rejected)

    def validate(self, spec: KindSpec, mapping: Mapping, cache: LookupCache,
                 part: str | None = None) -> bool:  # fmt: skip
        """Validate table ``raw`` into table ``v``: each row's canonical columns, its
        first error (``__reason``) and key hash; repeated natural keys are rejected.

        ``part`` is SQL giving each row's batch (from ``__ord``) when several pushed
        batches are validated together: a key repeated within a batch is rejected, as
        in a file; a key repeated in a later batch of the group is marked in table
        ``dup`` (``m = 1``; ``__part`` tells which), as if the earlier batch had stored
        it first. Returns whether any valid rows share a key hash: when none do, ``dup``
        is not made (nothing is repeated) and must not be read.
        """
        crash_point("validate")
        latest = datetime.now(UTC) + timedelta(seconds=self.settings.future_tolerance_s)
        self.con.execute(f"SET TimeZone = '{mapping.timezone}'")
        query = validated_sql(spec, mapping, cache, latest)
        if part is not None:
            query = f"SELECT *, {part} AS __part FROM ({query})"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE v AS {query}")
        self.con.execute("SET TimeZone = 'UTC'")
        # Natural-key duplicates: as a rule none (a stream's batches, most files), which
        # one count tells; the three statements that find and mark them cost several
        # times more, whatever the number of rows.
        row = one_row(
            self.con,
            "SELECT count(*) FROM (SELECT 1 FROM v WHERE __reason IS NULL GROUP BY __k "
            "HAVING count(*) > 1)",
        )
        if not row or not row[0]:
            return False
        # Find the few repeated key hashes first (an integer aggregate), then mark every
        # copy after the first among those rows, compared on the key itself. Much
        # cheaper than a window over all rows.
        keys = ", ".join(_q(k) for k in spec.key)
        within = ", __part" if part is not None else ""
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE dup AS SELECT __ord, m FROM (SELECT __ord, "
            f"row_number() OVER (PARTITION BY {keys} ORDER BY __ord) AS n, "
            f"row_number() OVER (PARTITION BY {keys}{within} ORDER BY __ord) AS m FROM v "
            f"WHERE __reason IS NULL AND __k IN (SELECT __k FROM v "
            f"WHERE __reason IS NULL GROUP BY __k HAVING count(*) > 1)) WHERE n > 1"
        )
        self.con.execute(
            "UPDATE v SET __reason = 'duplicate of an earlier row in the file' "
            "WHERE __ord IN (SELECT __ord FROM dup WHERE m > 1)"
        )
        return True

    def store_valid(self, spec: KindSpec, sink: RecordSink, tag: str, keep_new: bool,
                    carry: tuple[str, ...] = ()) -> tuple[int, int, Any]:  # fmt: skip
        """Store the valid rows of ``v`` once each; return (stored, already stored, the
        rows stored when ``keep_new``, with the ``carry`` columns of ``v`` for the lake).

        The store's kinds get the valid rows without the ``carry`` columns."""
        valid = "FROM v WHERE __reason IS NULL"
        if spec.destination == "lake":
            # v's key hash is over the validated values, which have the lake's types.
            good = f"(SELECT * EXCLUDE (__ord, __reason) {valid})"
            with self.lake.writer(RecordKind(spec.name), tag, self.settings.lock_wait_s) as w:
                keep = "ingest_new" if keep_new else None
                stored, already = append_relation(self.con, w, good, spec.key, "__k", keep,
                                                  carry, self.key_index)  # fmt: skip
            if not keep_new:
                return stored, already, None
            new = self.con.sql("SELECT * EXCLUDE (__k) FROM ingest_new")
            return stored, already, new.to_arrow_table()
        rows = self.fetch(
            f"(SELECT * EXCLUDE ({', '.join(('__ord', '__reason', '__k', *carry))}) {valid})"
        )
        stored = sink.insert(spec.name, rows)
        return stored, len(rows) - stored, rows if keep_new else None

    def _complete(self, spec: KindSpec, mapping: Mapping, path: Path) -> Mapping:
        """Check the columns the mapping needs; optional columns absent become constants."""
        present = {r[0] for r in self.con.execute("DESCRIBE raw").fetchall()}
        return complete_mapping(spec, mapping, present, path.name)

    def _refused(self, load: RawLoad) -> list[tuple[int, str, str]]:
        refused = list(load.rejects)
        rows = self.con.execute(
            "SELECT v.__ord, v.__reason, to_json(raw)::VARCHAR FROM v "
            "JOIN raw ON raw.rowid = v.__ord WHERE v.__reason IS NOT NULL"
        ).fetchall()
        refused += [(load.line_of(int(o)), str(reason), str(row)) for o, reason, row in rows]
        return refused

    def fetch(self, relation: str) -> list[dict[str, Any]]:
        cur = self.con.execute(f"SELECT * FROM {relation}")
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def complete_mapping(spec: KindSpec, mapping: Mapping, present: set[str], name: str
                     ) -> Mapping:  # fmt: skip
    """``mapping`` checked against the columns ``present`` in source ``name``: a
    required column absent is a SourceError; optional ones absent become constants."""
    constants = dict(mapping.constants)
    for col in spec.columns:
        if col.name in constants:
            continue
        missing = [c for c in mapping.source_columns(col.name) if c not in present]
        if missing and col.required:
            raise SourceError(
                f"{name}: no column {missing[0]!r} for {spec.name}.{col.name} "
                f"({_columns_hint(present)}); map it with --mapping"
            )
        if missing:
            constants[col.name] = ""
    if mapping.direction and mapping.direction.column not in present:
        raise SourceError(f"{name}: no direction column {mapping.direction.column!r}")
    return mapping.model_copy(update={"constants": constants})


HEADER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_ .()/-]{0,63}")


def _columns_hint(present: set[str]) -> str:
    """The file's column names, unless its first line looks like data, not a header.

    A file without a header has a data row for column names: echoing it would put
    a person's number in the terminal and the logs.
    """
    if all(HEADER_NAME.fullmatch(c) for c in present):
        return "columns: " + ", ".join(sorted(present))
    return "its first line does not look like a header of column names"


def _audit_detail(result: FileResult) -> dict[str, Any]:
    # Counts and the file's name only: never a row value.
    return {
        "file": Path(result.path).name,
        "read": result.read,
        "stored": result.stored,
        "already_stored": result.already,
        "rejected": result.n_rejected,
        "same_content_already_ingested": result.skipped_same_content,
        "error": result.error is not None,
    }

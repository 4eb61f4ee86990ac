"""Ingesting files of one kind: read, map, validate, set rejects aside, store.

Each file is read into DuckDB (bounded memory: the engine spills to disk),
validated column by column, de-duplicated on its natural key, and written to
its destination: the record lake for calls, messages and transfers, the
relational store for everything else. Nothing is dropped silently: every row
read ends up stored, already stored, or rejected with its reason.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from scamnet.ingest.kinds import KINDS, KindSpec
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.ports import IngestLedger, RecordSink
from scamnet.ingest.rejects import RejectStore
from scamnet.ingest.sources import RawLoad, SourceError, load_raw
from scamnet.ingest.validate import LookupCache, validated_sql
from scamnet.lake.append import append_relation
from scamnet.lake.layout import RecordLake
from scamnet.lake.schemas import RecordKind

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


class Ingestor:
    """Takes files of one kind in. Wire it with a ledger, a sink and the lake."""

    def __init__(self, data_dir: Path, memory_limit: str = "1GB", threads: int = 2) -> None:
        self.lake = RecordLake(data_dir / "lake")
        self.rejects = RejectStore(data_dir / "rejects")
        self.workdir = Path(tempfile.mkdtemp(prefix="ingest-", dir=_ensure(data_dir / "tmp")))
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self.workdir}'")
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET TimeZone = 'UTC'")
        self.caches: dict[str, LookupCache] = {}

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def ingest_file(
        self, kind: str, path: Path, mapping: Mapping, ledger: IngestLedger, sink: RecordSink
    ) -> FileResult:
        """Take one file in; a file that cannot be read at all comes back with ``error`` set."""
        spec = KINDS[kind]
        cache = self.caches.setdefault(mapping.region, LookupCache(self.con, mapping.region))
        result = FileResult(str(path))
        try:
            self._one(spec, path, mapping, cache, result, ledger, sink)
        except SourceError as exc:
            result.error = str(exc)
        return result

    def _one(self, spec: KindSpec, path: Path, mapping: Mapping, cache: LookupCache,
             result: FileResult, ledger: IngestLedger, sink: RecordSink) -> None:  # fmt: skip
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        # The file's hash is computed while the engine reads it: hashing is one core's
        # work and the read leaves some free. A file already taken in is read for
        # nothing, which costs less than hashing first on every new file.
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(file_hash, path)
            try:
                load = load_raw(self.con, path, mapping, self.workdir)
            finally:
                sha = digest.result()
        if ledger.seen(sha, spec.name):
            result.skipped_same_content = True
            return
        mapping = self._complete(spec, mapping, path)
        result.read = load.rows_read
        self.con.execute(f"SET TimeZone = '{mapping.timezone}'")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE v AS {validated_sql(spec, mapping, cache)}")
        self.con.execute("SET TimeZone = 'UTC'")
        # Natural-key duplicates: find the few repeated key hashes first (an integer
        # aggregate), then mark every copy after the first among those rows, compared
        # on the key itself. Much cheaper than a window over all rows.
        keys = ", ".join(_q(k) for k in spec.key)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE dup AS SELECT __ord FROM (SELECT __ord, "
            f"row_number() OVER (PARTITION BY {keys} ORDER BY __ord) AS n FROM v "
            f"WHERE __reason IS NULL AND __k IN (SELECT __k FROM v "
            f"WHERE __reason IS NULL GROUP BY __k HAVING count(*) > 1)) WHERE n > 1"
        )
        self.con.execute(
            "UPDATE v SET __reason = 'duplicate of an earlier row in the file' "
            "WHERE __ord IN (SELECT __ord FROM dup)"
        )
        refused = self._refused(load)
        for _line, reason, _row in refused:
            result.rejected[reason] += 1
        tag = sha[:16]
        self.rejects.write(spec.name, tag, str(path), refused)
        valid = "FROM v WHERE __reason IS NULL"
        if spec.destination == "lake":
            # v's key hash is over the validated values, which have the lake's types.
            good = f"(SELECT * EXCLUDE (__ord, __reason) {valid})"
            stored, already = append_relation(
                self.con, self.lake, RecordKind(spec.name), good, spec.key, tag, "__k"
            )
        else:
            rows = self._fetch(f"(SELECT * EXCLUDE (__ord, __reason, __k) {valid})")
            stored = sink.insert(spec.name, rows)
            already = len(rows) - stored
        result.stored, result.already = stored, already
        ledger.record(sha, spec.name, str(path), result.read, stored, result.n_rejected)

    def _complete(self, spec: KindSpec, mapping: Mapping, path: Path) -> Mapping:
        """Check the columns the mapping needs; optional columns absent become constants."""
        present = {r[0] for r in self.con.execute("DESCRIBE raw").fetchall()}
        constants = dict(mapping.constants)
        for col in spec.columns:
            if col.name in constants:
                continue
            missing = [c for c in mapping.source_columns(col.name) if c not in present]
            if missing and col.required:
                raise SourceError(
                    f"{path.name}: no column {missing[0]!r} for {spec.name}.{col.name} "
                    f"(columns: {', '.join(sorted(present))}); map it with --mapping"
                )
            if missing:
                constants[col.name] = ""
        if mapping.direction and mapping.direction.column not in present:
            raise SourceError(f"{path.name}: no direction column {mapping.direction.column!r}")
        return mapping.model_copy(update={"constants": constants})

    def _refused(self, load: RawLoad) -> list[tuple[int, str, str]]:
        refused = list(load.rejects)
        rows = self.con.execute(
            "SELECT v.__ord, v.__reason, to_json(raw)::VARCHAR FROM v "
            "JOIN raw ON raw.rowid = v.__ord WHERE v.__reason IS NOT NULL"
        ).fetchall()
        refused += [(load.line_of(int(o)), str(reason), str(row)) for o, reason, row in rows]
        return refused

    def _fetch(self, relation: str) -> list[dict[str, Any]]:
        cur = self.con.execute(f"SELECT * FROM {relation}")
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Writing records into the lake and finding them again.

Layout: ``<root>/<kind>/day=YYYY-MM-DD/part-<txn>-<i>.parquet``. Hive-style day
partitions let an engine skip whole days. A file is part of the lake only once a
commit record in ``<root>/_log/<kind>/`` lists it (see :mod:`scamnet.lake.log`
and docs/lake.md): every reader asks :meth:`RecordLake.snapshot` (or
:meth:`RecordLake.files`) for the committed files and never lists directories.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scamnet.lake.log import Commit, CommitLog
from scamnet.lake.schemas import SCHEMAS, TIME_COLUMN, RecordKind

if TYPE_CHECKING:
    from scamnet.lake.writer import LakeWriter


class SchemaMismatch(ValueError):
    """A batch does not have the columns and types of its record kind."""


@dataclass(slots=True)
class WriteResult:
    rows_written: int = 0
    rows_skipped: int = 0
    files: list[Path] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The committed state of one record kind at one version.

    This is the whole read API of the lake, for every engine (DuckDB, Spark):
    read ``files`` (Parquet, hive ``day=`` directories) and nothing else.

    Attributes:
        kind: The record kind.
        version: The last commit included (0: nothing committed yet).
        files: Absolute paths of the committed data files, sorted.
        keys: Per key-hash fingerprint, the data files (relative to the kind's
            directory) whose key sidecar was committed with them.
    """

    kind: RecordKind
    version: int
    root: Path
    files: tuple[Path, ...]
    keys: dict[str, frozenset[str]]

    def days(self) -> list[str]:
        """The days (``YYYY-MM-DD``) with committed data."""
        return sorted({f.parent.name.removeprefix("day=") for f in self.files})

    def files_on(self, days: Iterable[str]) -> list[Path]:
        """The committed data files of the given days."""
        wanted = {f"day={d}" for d in days}
        # ``parts`` is kept by the path once made; ``parent`` makes a new one each time.
        return [f for f in self.files if f.parts[-2] in wanted]

    def sidecar(self, fingerprint: str, data_file: Path) -> Path | None:
        """The committed key sidecar of ``data_file`` for ``fingerprint``, if any."""
        rel = data_file.relative_to(self.root / self.kind.value).as_posix()
        if rel not in self.keys.get(fingerprint, frozenset()):
            return None
        return self.root / "_keys" / fingerprint / self.kind.value / rel


@dataclass(frozen=True, slots=True)
class _Known:
    """The last snapshot made of a kind, and what it was made from."""

    commits: list[Commit]
    paths: dict[str, Path]  # a committed file, relative to the kind, and its path
    order: list[str]  # the files of ``paths``, in the order of their paths
    keys: dict[str, frozenset[str]]
    snapshot: Snapshot


# Per (lake, kind), in this process. The commits are the log's parsed records (one
# object per record file and version, `scamnet.lake.log`): the same objects in the
# same order are the same committed state.
_SNAPSHOTS: dict[tuple[str, str], _Known] = {}
SNAPSHOTS_MAX = 256


def _same(a: list[Commit], b: list[Commit]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _parts(rel: str) -> list[str]:
    """How a path relative to the kind sorts: by its parts, as Path objects do."""
    return rel.split("/")


class RecordLake:
    """A directory of day-partitioned Parquet files, one subdirectory per record kind."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def kind_dir(self, kind: RecordKind) -> Path:
        return self.root / kind.value

    def keys_dir(self, kind: RecordKind, fingerprint: str) -> Path:
        """Where the key sidecars of ``kind`` for one hash function live."""
        return self.root / "_keys" / fingerprint / kind.value

    def log(self, kind: RecordKind) -> CommitLog:
        return CommitLog(self.root / "_log" / kind.value)

    def snapshot(self, kind: RecordKind) -> Snapshot:
        """The committed files of ``kind``, as of the newest commit."""
        commits = self.log(kind).commits()
        slot = (str(self.root), kind.value)
        known = _SNAPSHOTS.get(slot)
        if known is not None and _same(known.commits, commits):
            return known.snapshot
        # A stream commits many times a second: the state of the commits seen before is
        # carried on (their files as paths, already made), only the new ones are added.
        # Rebuilt from all of them, every path sorted as Path objects, this cost a
        # writer tens of ms a commit at a few hundred commits, growing with each.
        if known is not None and _same(known.commits, commits[: len(known.commits)]):
            paths, order = dict(known.paths), list(known.order)
            keys = {fp: set(p) for fp, p in known.keys.items()}
            fresh = commits[len(known.commits) :]
        else:
            paths, order, keys, fresh = {}, [], {}, commits
        base = self.kind_dir(kind)
        for c in fresh:
            for f in c.files:
                if f not in paths:
                    paths[f] = base / f
                    bisect.insort(order, f, key=_parts)  # in the order of the paths
            for fp, rels in c.keys.items():
                keys.setdefault(fp, set()).update(rels)
        version = commits[-1].version if commits else 0
        snap = Snapshot(kind, version, self.root, tuple(paths[f] for f in order),
                        {fp: frozenset(p) for fp, p in keys.items()})  # fmt: skip
        if len(_SNAPSHOTS) >= SNAPSHOTS_MAX:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[slot] = _Known(commits, paths, order, snap.keys, snap)
        return snap

    def files(self, kind: RecordKind, days: Iterable[str] | None = None) -> list[Path]:
        """Committed data files of ``kind`` (of ``days`` only, when given)."""
        snap = self.snapshot(kind)
        return list(snap.files) if days is None else snap.files_on(days)

    def days(self, kind: RecordKind) -> list[str]:
        """The days with committed data of ``kind``."""
        return self.snapshot(kind).days()

    def writer(self, kind: RecordKind, tag: str = "", wait_s: float = 600.0) -> LakeWriter:
        """The one writer of ``kind``: ``with lake.writer(kind) as w: …; w.commit(…)``."""
        from scamnet.lake.writer import LakeWriter

        return LakeWriter(self, kind, tag, wait_s)

    def write(self, kind: RecordKind, batch: pa.Table) -> WriteResult:
        """Write ``batch`` split by day, in one commit; batches already stored are skipped."""
        schema = SCHEMAS[kind]
        try:
            batch = batch.select(schema.names).cast(schema)
        except (KeyError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise SchemaMismatch(f"{kind.value}: batch does not fit the schema ({exc})") from None
        result = WriteResult()
        if batch.num_rows == 0:
            return result
        days = pc.cast(batch[TIME_COLUMN[kind]], pa.date32())
        with self.writer(kind) as w:
            present = {f.name for f in self.files(kind)}
            for day in pc.unique(days).to_pylist():
                part = batch.filter(pc.equal(days, pa.scalar(day, pa.date32())))
                sink = pa.BufferOutputStream()
                pq.write_table(part, sink, compression="zstd")
                data = sink.getvalue().to_pybytes()
                # Named by content: the same rows written again are recognised and skipped.
                name = f"part-{hashlib.blake2b(data, digest_size=16).hexdigest()}.parquet"
                if name in present:
                    result.rows_skipped += part.num_rows
                    continue
                target = self.kind_dir(kind) / f"day={day.isoformat()}" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                result.rows_written += part.num_rows
                result.files.append(target)
            w.commit(result.rows_written, result.files, {})
        return result

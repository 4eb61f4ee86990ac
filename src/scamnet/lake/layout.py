"""Writing records into the lake and finding them again.

Layout: ``<root>/<kind>/day=YYYY-MM-DD/part-<content hash>.parquet``. Hive-style
day partitions let an engine skip whole days, and naming each file by the hash of
its content makes writing the same batch twice a no-op.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scamnet.lake.schemas import SCHEMAS, TIME_COLUMN, RecordKind


class SchemaMismatch(ValueError):
    """A batch does not have the columns and types of its record kind."""


@dataclass(slots=True)
class WriteResult:
    rows_written: int = 0
    rows_skipped: int = 0
    files: list[Path] = field(default_factory=list)


class RecordLake:
    """A directory of day-partitioned Parquet files, one subdirectory per record kind."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def kind_dir(self, kind: RecordKind) -> Path:
        return self.root / kind.value

    def write(self, kind: RecordKind, batch: pa.Table) -> WriteResult:
        """Write ``batch`` split by day; files already present (same content) are skipped."""
        schema = SCHEMAS[kind]
        try:
            batch = batch.select(schema.names).cast(schema)
        except (KeyError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise SchemaMismatch(f"{kind.value}: batch does not fit the schema ({exc})") from None
        result = WriteResult()
        if batch.num_rows == 0:
            return result
        days = pc.cast(batch[TIME_COLUMN[kind]], pa.date32())
        for day in pc.unique(days).to_pylist():
            part = batch.filter(pc.equal(days, pa.scalar(day, pa.date32())))
            self._write_part(kind, day.isoformat(), part, result)
        return result

    def _write_part(self, kind: RecordKind, day: str, part: pa.Table, result: WriteResult) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(part, sink, compression="zstd")
        data = sink.getvalue().to_pybytes()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        target = self.kind_dir(kind) / f"day={day}" / f"part-{digest}.parquet"
        if target.exists():
            result.rows_skipped += part.num_rows
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # atomic: a reader never sees half a file
        result.rows_written += part.num_rows
        result.files.append(target)

    def files(self, kind: RecordKind) -> list[Path]:
        return sorted(self.kind_dir(kind).glob("day=*/part-*.parquet"))

    def days(self, kind: RecordKind) -> list[str]:
        return sorted(p.name.removeprefix("day=") for p in self.kind_dir(kind).glob("day=*"))

"""The rejects store: every refused row, with its file, line, reason and content.

Kept as Parquet under ``<data dir>/rejects/<kind>/``, one file per ingested file,
so an analyst can look at what was refused and why, fix it and feed it again.
Each file is written under a temporary name, synced and renamed into place, so a
killed ingest never leaves a torn rejects file; the rows it holds are personal
data, so the files are owner-only like the rest of the data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from scamnet.lake.durable import fsync_dir, fsync_file

SCHEMA = pa.schema(
    [("file", pa.string()), ("line", pa.int64()), ("reason", pa.string()), ("row", pa.string())]
)


class RejectStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(
        self, kind: str, tag: str, file: str, rows: list[tuple[int, str, str]]
    ) -> Path | None:
        """Keep ``rows`` (line, reason, row text) refused from ``file``."""
        if not rows:
            return None
        target = self.root / kind / f"{tag}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        rows = sorted(rows)
        table = pa.table(
            {
                "file": [file] * len(rows),
                "line": [r[0] for r in rows],
                "reason": [r[1] for r in rows],
                "row": [r[2] for r in rows],
            },
            schema=SCHEMA,
        )
        tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
        pq.write_table(table, tmp)
        fsync_file(tmp)
        os.replace(tmp, target)
        fsync_dir(target.parent)
        return target

    def read(self, kind: str) -> pa.Table:
        files = sorted(
            p for p in (self.root / kind).glob("*.parquet") if not p.name.startswith(".")
        )
        if not files:
            return SCHEMA.empty_table()
        return pa.concat_tables(pq.read_table(f) for f in files)

"""The rejects store: every refused row, with its file, line, reason and content.

Kept as Parquet under ``<data dir>/rejects/<kind>/``, one file per ingested file,
so an analyst can look at what was refused and why, fix it and feed it again.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

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
        pq.write_table(table, target)
        return target

    def read(self, kind: str) -> pa.Table:
        files = sorted((self.root / kind).glob("*.parquet"))
        if not files:
            return SCHEMA.empty_table()
        return pa.concat_tables(pq.read_table(f) for f in files)

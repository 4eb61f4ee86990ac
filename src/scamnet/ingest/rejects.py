"""The rejects store: every refused row, with its file, line, reason and content.

Kept as Parquet under ``<data dir>/rejects/<kind>/``, one file per ingested file,
so an analyst can look at what was refused and why (`scamnet ingest rejects`),
fix it and feed it again.
Each file is written under a temporary name, synced and renamed into place, so a
killed ingest never leaves a torn rejects file; the rows it holds are personal
data, so the files are owner-only like the rest of the data directory.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scamnet.core.errors import InvalidRecord
from scamnet.ingest.ports import AuditTrail
from scamnet.lake.durable import fsync_dir, fsync_file

CSV_COLUMNS = ("kind", "file", "line", "reason", "row")
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


@dataclass(frozen=True, slots=True)
class Rejected:
    """The refused rows asked for, and how many were refused for each reason."""

    rows: list[dict[str, Any]]  # kind, file, line, reason, row
    by_reason: list[tuple[str, str, int]]  # (kind, reason, rows), most first

    @property
    def total(self) -> int:
        return len(self.rows)


def list_rejects(
    root: Path, audit: AuditTrail, actor: str, kind: str | None = None, file: str | None = None
) -> Rejected:
    """Rows refused at ingestion, of ``kind`` (or every kind) and from ``file`` (its path
    as ingested, or only its name), in file and line order.

    The rows are what the sources held, personal data included, so the reading is
    audited.

    Raises:
        InvalidRecord: ``kind`` is not a kind of input.
    """
    from scamnet.ingest.kinds import KINDS  # the specs import the validators; not needed above

    if kind is not None and kind not in KINDS:
        raise InvalidRecord(f"unknown kind {kind!r}; one of {', '.join(sorted(KINDS))}")
    store = RejectStore(root)
    kinds = [kind] if kind else sorted(p.name for p in root.glob("*") if p.is_dir())
    rows: list[dict[str, Any]] = []
    for k in kinds:
        for r in store.read(k).to_pylist():
            if file is None or r["file"] == file or Path(r["file"]).name == file:
                rows.append({"kind": k, **r})
    rows.sort(key=lambda r: (r["kind"], r["file"], r["line"]))
    counts = Counter((r["kind"], r["reason"]) for r in rows)
    by_reason = [(k, reason, n) for (k, reason), n in
                 sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]  # fmt: skip
    audit.append(actor, "rejects.read", f"rejects:{kind or 'all'}",
                 {"file": file, "rows": len(rows)})  # fmt: skip
    return Rejected(rows, by_reason)


def write_csv(rejected: Rejected, out: Path) -> None:
    """The rows as CSV, each text cell neutralised against spreadsheet formulas (a
    refused row is exactly the kind of text an attacker would plant one in)."""
    import csv

    from scamnet.core.csvsafe import neutralise_row

    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for r in rejected.rows:
            writer.writerow(neutralise_row(r[c] for c in CSV_COLUMNS))

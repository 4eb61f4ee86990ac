"""Handover batches, manifest entries and custody events: the tables' plain queries.

Matching, fugitive rules and custody order are in :mod:`scamnet.cases.handovers`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from scamnet.core.handovers import BatchHeader, ManifestEntry
from scamnet.store.models import (
    HandoverBatchRow,
    ManifestEntryRow,
)
from scamnet.store.tables.custody import CustodyEventRow


class SqlHandoverStore:
    """Implements :class:`scamnet.cases.ports.HandoverStore`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def header(self, batch_id: str) -> BatchHeader | None:
        row = self.session.scalar(
            select(HandoverBatchRow).where(HandoverBatchRow.batch_id == batch_id)
        )
        if row is None:
            return None
        return BatchHeader(row.batch_id, row.date, row.crossing, row.from_agency, row.to_agency,
                           row.request_ref, row.source, row.note)  # fmt: skip

    def add_batch(self, header: BatchHeader) -> None:
        self.session.add(
            HandoverBatchRow(**{f: getattr(header, f) for f in header.__dataclass_fields__})
        )
        self.session.flush()

    def add_entries(self, batch_id: str, entries: list[ManifestEntry]) -> None:
        rows: list[dict[str, Any]] = [
            {"batch_id": batch_id, "seq": e.seq, "name": e.name, "birth_date": e.birth_date,
             "document": e.document, "nationality": e.nationality, "person_id": e.person_id,
             "fugitive": e.fugitive, "declared_role": e.declared_role,
             "warrant_id": e.warrant_id, "match_score": e.match_score,
             "match_evidence": json.dumps(list(e.evidence), ensure_ascii=False) if e.evidence
             else None}
            for e in entries
        ]  # fmt: skip
        for start in range(0, len(rows), 1000):
            self.session.execute(insert(ManifestEntryRow), rows[start : start + 1000])
        self.session.flush()

    def entries(self, batch_id: str) -> list[ManifestEntry]:
        rows = self.session.scalars(
            select(ManifestEntryRow)
            .where(ManifestEntryRow.batch_id == batch_id)
            .order_by(ManifestEntryRow.seq)
        )
        return [_entry(r) for r in rows]

    def entry_id(self, batch_id: str, seq: int) -> int | None:
        return self.session.scalar(
            select(ManifestEntryRow.id).where(
                ManifestEntryRow.batch_id == batch_id, ManifestEntryRow.seq == seq
            )
        )

    def custody(self, entry_id: int) -> list[str]:
        return list(
            self.session.scalars(
                select(CustodyEventRow.event)
                .where(CustodyEventRow.entry_id == entry_id)
                .order_by(CustodyEventRow.id)
            )
        )

    def add_custody(
        self, entry_id: int, event: str, at: datetime, author: str, detail: str
    ) -> None:
        self.session.add(
            CustodyEventRow(entry_id=entry_id, event=event, at=at, author=author, detail=detail)
        )
        self.session.flush()

    def batches(self) -> list[tuple[BatchHeader, int]]:
        """Every batch, by date, with its number of entries."""
        counted = select(ManifestEntryRow.batch_id, func.count()).group_by(
            ManifestEntryRow.batch_id
        )
        sizes = {str(b): int(n) for b, n in self.session.execute(counted)}
        rows = self.session.scalars(
            select(HandoverBatchRow).order_by(HandoverBatchRow.date, HandoverBatchRow.batch_id)
        )
        return [
            (BatchHeader(r.batch_id, r.date, r.crossing, r.from_agency, r.to_agency,
                         r.request_ref, r.source, r.note), sizes.get(r.batch_id, 0))
            for r in rows
        ]  # fmt: skip


def _entry(r: ManifestEntryRow) -> ManifestEntry:
    return ManifestEntry(r.id, r.seq, r.name, r.birth_date, r.document, r.nationality,
                         r.person_id, r.fugitive, r.declared_role, r.warrant_id, r.match_score,
                         tuple(json.loads(r.match_evidence or "[]")))  # fmt: skip

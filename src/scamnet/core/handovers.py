"""A handover batch and its manifest lines, as the giving side declares them.

A manifest is a legal document: a batch id names one batch, and the same lines
sent again are the same batch, while other lines under a known id are a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scamnet.core.errors import InvalidRecord

UNNAMED = "(not named in the published figures)"


@dataclass(frozen=True, slots=True)
class BatchHeader:
    batch_id: str
    date: date
    crossing: str
    from_agency: str
    to_agency: str
    request_ref: str | None = None
    source: str = "manifest"  # manifest, exchange, ingest, press
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One person handed over. An unnamed line (published figures) is counted, not matched."""

    seq: int
    name: str
    birth_date: date | None = None
    document: str | None = None
    nationality: str | None = None
    role: str | None = None  # as declared by the giving side, if at all
    declared_fugitive: bool = False  # the giving side says this person was wanted

    @property
    def unnamed(self) -> bool:
        return self.name == UNNAMED


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """A stored manifest line with what matching made of it."""

    id: int
    seq: int
    name: str
    birth_date: date | None
    document: str | None
    nationality: str | None
    person_id: int | None
    fugitive: bool
    declared_role: str | None
    warrant_id: str | None
    match_score: float | None
    evidence: tuple[str, ...] = field(default=())

    def same_line(self, line: ManifestLine) -> bool:
        """The stored entry records exactly this declared line."""
        return (self.seq, self.name, self.birth_date, self.document, self.nationality) == (
            line.seq,
            line.name,
            line.birth_date,
            line.document,
            line.nationality,
        ) and self.declared_role == line.role


def check_lines(batch_id: str, lines: list[ManifestLine]) -> None:
    """A manifest has at least one line, numbered from 1, each number once."""
    if not lines:
        raise InvalidRecord(f"batch {batch_id}: a manifest needs at least one line")
    seqs = [line.seq for line in lines]
    if min(seqs) < 1:
        raise InvalidRecord(f"batch {batch_id}: line numbers start at 1")
    if len(set(seqs)) != len(seqs):
        raise InvalidRecord(f"batch {batch_id}: manifest line numbers repeat")

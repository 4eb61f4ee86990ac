"""Handover batches: the one writer of manifest entries.

Every path that records a handover (a manifest file, the ingest kind, a partner's
signed bundle, the published press figures) calls :func:`import_batch`. Each line
is matched to known persons and open warrants, new people become new persons, the
suspects it concerns move to handed over, and the chain of custody is kept per line.

A batch id names one batch: the same lines sent again are reported as already
stored and change nothing; other lines under a known batch id are refused with
the conflict shown (a correction is a new batch, never a silent edit of evidence).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from scamnet.cases.manifest import batches_from_rows
from scamnet.cases.matching import KnownIndex, load_known
from scamnet.cases.ports import UnitOfWork
from scamnet.cases.suspects import hand_over
from scamnet.cases.transfers import execute_for_batch
from scamnet.core.access import Actor
from scamnet.core.cases import CustodyEvent, check_custody_step
from scamnet.core.description import Description
from scamnet.core.entities import Document, Person, PersonName
from scamnet.core.errors import InvalidRecord, NotFound
from scamnet.core.handovers import BatchHeader, ManifestEntry, ManifestLine, check_lines


@dataclass(slots=True)
class ImportResult:
    batch_id: str
    entries: int = 0  # lines stored by this import
    already_stored: int = 0  # lines sent again, identical to what is stored
    matched_persons: int = 0
    new_persons: int = 0
    fugitives: int = 0
    suspects_moved: int = 0
    evidence: list[tuple[int, str]] = field(default_factory=list)


class BatchConflict(InvalidRecord):
    """Other lines, or another header, under a batch id already recorded."""


@dataclass(frozen=True, slots=True)
class BatchView:
    header: BatchHeader
    entries: list[tuple[ManifestEntry, list[str]]]  # each line with its custody steps


def import_batch(
    uow: UnitOfWork,
    actor: Actor,
    header: BatchHeader,
    lines: list[ManifestLine],
    index: KnownIndex | None = None,
) -> ImportResult:
    """Record a batch and match each person on it; new people become new persons.

    A batch that answers a transfer request (``header.request_ref``) executes it.
    """
    check_lines(header.batch_id, lines)
    existing = uow.handovers.header(header.batch_id)
    if existing is not None:
        return _resent(uow, existing, header, lines)
    uow.handovers.add_batch(header)
    known = index if index is not None else load_known(uow.person_index, _queries(lines))
    result = ImportResult(header.batch_id)
    entries = [_import_line(uow, actor, header, line, known, result) for line in lines]
    uow.handovers.add_entries(header.batch_id, entries)
    uow.audit.append(
        actor.user,
        "handover.import",
        header.batch_id,
        {"entries": result.entries, "new": result.new_persons, "fugitives": result.fugitives,
         "source": header.source},
    )  # fmt: skip
    if header.request_ref:
        execute_for_batch(uow, actor, header.request_ref, header.batch_id)
    return result


def _resent(
    uow: UnitOfWork, stored: BatchHeader, header: BatchHeader, lines: list[ManifestLine]
) -> ImportResult:
    fields = ("date", "crossing", "from_agency", "to_agency")
    differ = [f for f in fields if getattr(stored, f) != getattr(header, f)]
    if differ:
        raise BatchConflict(
            f"batch {header.batch_id} is recorded with another "
            + ", ".join(f"{f} ({getattr(stored, f)})" for f in differ)
        )
    by_seq = {e.seq: e for e in uow.handovers.entries(header.batch_id)}
    conflicts = [line.seq for line in lines if not _same(by_seq.get(line.seq), line)]
    if conflicts:
        shown = ", ".join(str(s) for s in conflicts[:10])
        raise BatchConflict(
            f"batch {header.batch_id} is recorded with other lines ({len(by_seq)} stored); "
            f"lines that differ or are new: {shown}"
            + (f" and {len(conflicts) - 10} more" if len(conflicts) > 10 else "")
            + ". A batch is not amended: record a correction as a new batch"
        )
    return ImportResult(header.batch_id, already_stored=len(lines))


def _same(entry: ManifestEntry | None, line: ManifestLine) -> bool:
    return entry is not None and entry.same_line(line)


def _import_line(
    uow: UnitOfWork,
    actor: Actor,
    header: BatchHeader,
    line: ManifestLine,
    known: KnownIndex,
    result: ImportResult,
) -> ManifestEntry:
    result.entries += 1
    if line.unnamed:  # published figures: counted, never matched to anyone
        result.fugitives += line.declared_fugitive
        return ManifestEntry(0, line.seq, line.name, None, None, None, None,
                             line.declared_fugitive, line.role, None, None)  # fmt: skip
    query = _query(line)
    person, warrant = known.best_person(query), known.best_warrant(query)
    evidence = []
    if person is not None:
        person_id = int(person.ref.split(":")[1])
        result.matched_persons += 1
        evidence.append(
            f"person {person_id} (p={person.probability:.3f}): " + "; ".join(person.evidence)
        )
    else:
        person_id = _new_person(uow, line)
        known.add(f"person:{person_id}", query)
        result.new_persons += 1
        evidence.append(f"new person {person_id}: no known person matched")
    warrant_id = None
    if warrant is not None:
        warrant_id = warrant.ref.split(":", 1)[1]
        evidence.append(
            f"warrant {warrant_id} (p={warrant.probability:.3f}): " + "; ".join(warrant.evidence)
        )
        uow.cases.link_warrant(warrant_id, person_id)
        known.remove(warrant.ref)  # executed: no longer open
    fugitive = line.declared_fugitive or warrant_id is not None or uow.cases.is_wanted(person_id)
    result.fugitives += fugitive
    basis = f"handover batch {header.batch_id} at {header.crossing} on {header.date}"
    result.suspects_moved += hand_over(uow, actor, person_id, basis)
    result.evidence.append((line.seq, " | ".join(evidence)))
    return ManifestEntry(0, line.seq, line.name, line.birth_date, line.document,
                         line.nationality, person_id, fugitive, line.role, warrant_id,
                         person.probability if person else None, tuple(evidence))  # fmt: skip


def _query(line: ManifestLine) -> Description:
    """What a manifest line says of its person, as matching asks for it."""
    docs = frozenset({line.document} if line.document else ())
    return Description((line.name,), line.birth_date, docs)


def _queries(lines: list[ManifestLine]) -> list[Description]:
    return [_query(line) for line in lines if not line.unnamed]


def _new_person(uow: UnitOfWork, line: ManifestLine) -> int:
    docs = [Document("passport", line.document, line.nationality or "CN")] if line.document else []
    person = uow.persons.add(
        Person(names=[PersonName.of(line.name)], birth_date=line.birth_date,
               nationality=line.nationality, documents=docs)
    )  # fmt: skip
    return person.id or 0


def import_batches(
    uow: UnitOfWork,
    actor: Actor,
    batches: list[tuple[BatchHeader, list[ManifestLine]]],
    source: str | None = None,
) -> list[ImportResult]:
    """Several batches in one transaction (a manifest file, an ingest), sharing one index."""
    index = load_known(uow.person_index, [q for _h, lines in batches for q in _queries(lines)])
    out = []
    for header, lines in batches:
        if source is not None:
            header = replace(header, source=source)
        out.append(import_batch(uow, actor, header, lines, index))
    return out


def import_rows(uow: UnitOfWork, user: str, rows: list[dict[str, Any]]) -> int:
    """Handover rows from ingestion, grouped into batches; returns the lines stored.

    Each batch acts for its receiving agency, as a manifest import by ``user`` would.
    """
    batches = batches_from_rows(rows, source="ingest")
    for header, lines in batches:  # every conflict is found before anything is written
        existing = uow.handovers.header(header.batch_id)
        if existing is not None:
            _resent(uow, existing, header, lines)
    stored = 0
    index = load_known(uow.person_index, [q for _h, lines in batches for q in _queries(lines)])
    for header, lines in batches:
        stored += import_batch(uow, Actor(user, header.to_agency), header, lines, index).entries
    return stored


def record_custody(
    uow: UnitOfWork, actor: Actor, batch_id: str, seq: int, event: CustodyEvent, detail: str = ""
) -> None:
    entry = uow.handovers.entry_id(batch_id, seq)
    if entry is None:
        raise NotFound(f"no line {seq} in handover batch {batch_id!r}")
    done = [CustodyEvent(e) for e in uow.handovers.custody(entry)]
    check_custody_step(done, event, detail)
    uow.handovers.add_custody(entry, event.value, datetime.now(UTC), actor.user, detail.strip())
    uow.audit.append(actor.user, "custody." + event.value, f"{batch_id}#{seq}", {"detail": detail})


def list_batches(uow: UnitOfWork, actor: Actor) -> list[tuple[BatchHeader, int]]:
    """The batches sent by or to an agency the actor may read."""
    seen = uow.access.visibility(actor)
    mine = [(h, n) for h, n in uow.handovers.batches()]
    return [(h, n) for h, n in mine if seen.ceiling(h.to_agency) or seen.ceiling(h.from_agency)]


def read_batch(uow: UnitOfWork, actor: Actor, batch_id: str) -> BatchView:
    """A batch's manifest with match evidence and custody: an audited read of personal data."""
    header = uow.handovers.header(batch_id)
    if header is None:
        raise NotFound(f"no handover batch {batch_id!r}")
    uow.audit.append(actor.user, "handover.read", batch_id,
                     {"agency": actor.agency, "why": actor.why})  # fmt: skip
    return BatchView(
        header,
        [(e, uow.handovers.custody(e.id)) for e in uow.handovers.entries(batch_id)],
    )

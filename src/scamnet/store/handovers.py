"""Handover batches: the manifest matched to known persons and open warrants, the
suspects it concerns moved to handed over, and the chain of custody per person."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.cases import CustodyEvent, check_custody_step
from scamnet.core.entities import Document, Person, PersonName
from scamnet.core.errors import InvalidRecord
from scamnet.core.suspect import SuspectStatus
from scamnet.resolve.match import Description
from scamnet.store.audit import AuditLog
from scamnet.store.casemodels import CustodyEventRow, SuspectRow
from scamnet.store.cases import Actor, CaseRepository
from scamnet.store.known import KnownIndex, load_known
from scamnet.store.models import HandoverBatchRow, ManifestEntryRow, WarrantRow
from scamnet.store.persons import PersonRepository


@dataclass(frozen=True, slots=True)
class BatchHeader:
    batch_id: str
    date: date
    crossing: str
    from_agency: str
    to_agency: str
    request_ref: str | None = None
    source: str = "manifest"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ManifestLine:
    seq: int
    name: str
    birth_date: date | None = None
    document: str | None = None
    nationality: str | None = None
    role: str | None = None  # as declared by the giving side, if at all


@dataclass(slots=True)
class ImportResult:
    batch_id: str
    entries: int = 0
    matched_persons: int = 0
    new_persons: int = 0
    fugitives: int = 0
    suspects_moved: int = 0
    evidence: list[tuple[int, str]] = field(default_factory=list)


class BatchExists(InvalidRecord):
    """A batch with that id is already recorded."""


class HandoverRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def import_batch(
        self,
        header: BatchHeader,
        lines: list[ManifestLine],
        actor: Actor,
        index: KnownIndex | None = None,
    ) -> ImportResult:
        """Record a batch and match each person on it; new people become new persons."""
        if (
            self.session.scalar(
                select(HandoverBatchRow.id).where(HandoverBatchRow.batch_id == header.batch_id)
            )
            is not None
        ):
            raise BatchExists(f"handover batch {header.batch_id!r} is already recorded")
        seqs = [line.seq for line in lines]
        if len(set(seqs)) != len(seqs):
            raise InvalidRecord(f"batch {header.batch_id}: manifest line numbers repeat")
        self.session.add(HandoverBatchRow(**vars_of(header)))
        known = index if index is not None else load_known(self.session)
        result = ImportResult(header.batch_id)
        for line in lines:
            self._import_line(header, line, known, actor, result)
        self.session.flush()
        AuditLog(self.session).append(
            actor.user,
            "handover.import",
            header.batch_id,
            {"entries": result.entries, "new": result.new_persons, "fugitives": result.fugitives},
        )
        return result

    def _import_line(
        self,
        header: BatchHeader,
        line: ManifestLine,
        known: KnownIndex,
        actor: Actor,
        result: ImportResult,
    ) -> None:
        query = Description(
            (line.name,), line.birth_date, frozenset({line.document} if line.document else ())
        )
        person = next((c for c in known.candidates(query, "person:") if c.is_match), None)
        warrant = next((c for c in known.candidates(query, "warrant:") if c.is_match), None)
        evidence = []
        if person is not None:
            person_id = int(person.ref.split(":")[1])
            result.matched_persons += 1
            evidence.append(
                f"person {person_id} (p={person.probability:.3f}): " + "; ".join(person.evidence)
            )
        else:
            person_id = self._new_person(line)
            known.add(f"person:{person_id}", query)
            result.new_persons += 1
            evidence.append(f"new person {person_id}: no known person matched")
        warrant_id = None
        if warrant is not None:
            warrant_id = warrant.ref.split(":", 1)[1]
            evidence.append(
                f"warrant {warrant_id} (p={warrant.probability:.3f}): "
                + "; ".join(warrant.evidence)
            )
            self._link_warrant(warrant_id, person_id)
            known.remove(warrant.ref)  # executed: no longer open
        fugitive = warrant_id is not None or self._is_wanted(person_id)
        result.fugitives += fugitive
        result.suspects_moved += self._hand_over_suspects(person_id, header, actor)
        self.session.add(
            ManifestEntryRow(
                batch_id=header.batch_id,
                seq=line.seq,
                name=line.name,
                birth_date=line.birth_date,
                document=line.document,
                nationality=line.nationality,
                person_id=person_id,
                fugitive=fugitive,
                declared_role=line.role,
                warrant_id=warrant_id,
                match_score=person.probability if person else None,
                match_evidence=json.dumps(evidence, ensure_ascii=False),
            )
        )
        result.entries += 1
        result.evidence.append((line.seq, " | ".join(evidence)))

    def _new_person(self, line: ManifestLine) -> int:
        docs = (
            [Document("passport", line.document, line.nationality or "CN")] if line.document else []
        )
        person = PersonRepository(self.session).add(
            Person(
                names=[PersonName.of(line.name)],
                birth_date=line.birth_date,
                nationality=line.nationality,
                documents=docs,
            )
        )
        return person.id or 0

    def _link_warrant(self, warrant_id: str, person_id: int) -> None:
        row = self.session.scalar(select(WarrantRow).where(WarrantRow.warrant_id == warrant_id))
        if row is not None and row.person_id is None:
            row.person_id = person_id

    def _is_wanted(self, person_id: int) -> bool:
        """A suspect with status wanted, or a person an unexecuted warrant names."""
        if (
            self.session.scalar(
                select(SuspectRow.id).where(
                    SuspectRow.person_id == person_id,
                    SuspectRow.status == SuspectStatus.WANTED.value,
                )
            )
            is not None
        ):
            return True
        executed = select(ManifestEntryRow.warrant_id).where(
            ManifestEntryRow.warrant_id.is_not(None)
        )
        open_warrant = select(WarrantRow.id).where(
            WarrantRow.person_id == person_id, WarrantRow.warrant_id.not_in(executed)
        )
        return self.session.scalar(open_warrant) is not None

    def _hand_over_suspects(self, person_id: int, header: BatchHeader, actor: Actor) -> int:
        cases = CaseRepository(self.session)
        basis = f"handover batch {header.batch_id} at {header.crossing} on {header.date}"
        moved = 0
        for suspect in cases.suspects(person_id=person_id):
            status = SuspectStatus(suspect.status)
            # A fugitive found in a batch was first detained abroad; record both steps.
            if not status.can_transition_to(SuspectStatus.HANDED_OVER):
                if not status.can_transition_to(SuspectStatus.DETAINED_ABROAD):
                    continue  # already past the border, or deceased: nothing to move
                cases.change_status(suspect.id, SuspectStatus.DETAINED_ABROAD, actor, basis)
            cases.change_status(suspect.id, SuspectStatus.HANDED_OVER, actor, basis)
            moved += 1
        return moved

    def record_custody(
        self, batch_id: str, seq: int, event: CustodyEvent, actor: Actor, detail: str = ""
    ) -> None:
        entry = self.session.scalar(
            select(ManifestEntryRow).where(
                ManifestEntryRow.batch_id == batch_id, ManifestEntryRow.seq == seq
            )
        )
        if entry is None:
            raise InvalidRecord(f"no line {seq} in handover batch {batch_id!r}")
        check_custody_step(self.custody(entry.id), event, detail)
        self.session.add(
            CustodyEventRow(
                entry_id=entry.id,
                event=event.value,
                at=datetime.now(UTC),
                author=actor.user,
                detail=detail.strip(),
            )
        )
        self.session.flush()
        AuditLog(self.session).append(
            actor.user, "custody." + event.value, f"{batch_id}#{seq}", {"detail": detail}
        )

    def custody(self, entry_id: int) -> list[CustodyEvent]:
        rows = self.session.scalars(
            select(CustodyEventRow.event)
            .where(CustodyEventRow.entry_id == entry_id)
            .order_by(CustodyEventRow.id)
        )
        return [CustodyEvent(r) for r in rows]

    def batches(self) -> list[HandoverBatchRow]:
        return list(
            self.session.scalars(
                select(HandoverBatchRow).order_by(HandoverBatchRow.date, HandoverBatchRow.batch_id)
            )
        )

    def entries(self, batch_id: str) -> list[ManifestEntryRow]:
        return list(
            self.session.scalars(
                select(ManifestEntryRow)
                .where(ManifestEntryRow.batch_id == batch_id)
                .order_by(ManifestEntryRow.seq)
            )
        )


def vars_of(header: BatchHeader) -> dict[str, object]:
    return {f: getattr(header, f) for f in header.__dataclass_fields__}

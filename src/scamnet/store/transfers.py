"""Transfer requests: one agency asks a partner to hand over named persons.

The reference is global (it travels in signed bundles), so both instances keep
the same request under the same reference and move it through the same states.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.cases import TransferStatus, require_legal_basis
from scamnet.core.errors import InvalidRecord
from scamnet.store.audit import AuditLog
from scamnet.store.casemodels import RequestEventRow, RequestPersonRow, TransferRequestRow
from scamnet.store.cases import Actor, UnknownCase
from scamnet.store.models import AgencyRow, PersonNameRow, PersonRow


@dataclass(frozen=True, slots=True)
class RequestedPerson:
    name: str
    birth_date: date | None = None
    document: str | None = None
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class TransferRequest:
    reference: str
    requesting_agency: str
    partner_agency: str
    legal_basis: str
    status: str
    created_at: datetime
    persons: tuple[RequestedPerson, ...]


class TransferRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, partner: str, person_ids: list[int], legal_basis: str, actor: Actor) -> str:
        """A new request from ``actor``'s agency for persons known here."""
        if not person_ids:
            raise InvalidRecord("a transfer request names at least one person")
        persons = [self._describe(pid) for pid in person_ids]
        reference = f"TR-{actor.agency}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
        self.record(
            TransferRequest(
                reference,
                actor.agency,
                partner,
                legal_basis,
                TransferStatus.SENT.value,
                datetime.now(UTC),
                tuple(persons),
            ),
            actor,
        )
        return reference

    def record(self, request: TransferRequest, actor: Actor) -> None:
        """Store a request, ours or one a partner sent us."""
        basis = require_legal_basis(request.legal_basis)
        for code in (request.requesting_agency, request.partner_agency):
            if self.session.scalar(select(AgencyRow.id).where(AgencyRow.code == code)) is None:
                raise InvalidRecord(f"unknown agency {code!r}")
        if request.requesting_agency == request.partner_agency:
            raise InvalidRecord("a request goes to another agency")
        if (
            self.session.scalar(
                select(TransferRequestRow.id).where(
                    TransferRequestRow.reference == request.reference
                )
            )
            is not None
        ):
            raise InvalidRecord(f"transfer request {request.reference} already exists")
        row = TransferRequestRow(
            reference=request.reference,
            requesting_agency=request.requesting_agency,
            partner_agency=request.partner_agency,
            legal_basis=basis,
            status=TransferStatus.SENT.value,
            created_at=request.created_at,
        )
        self.session.add(row)
        self.session.flush()
        for seq, p in enumerate(request.persons, start=1):
            self.session.add(
                RequestPersonRow(
                    request_id=row.id,
                    seq=seq,
                    name=p.name,
                    birth_date=p.birth_date,
                    document=p.document,
                    person_id=p.person_id,
                )
            )
        self.session.add(
            RequestEventRow(
                request_id=row.id,
                status=row.status,
                at=request.created_at,
                agency=request.requesting_agency,
                note=basis,
            )
        )
        AuditLog(self.session).append(
            actor.user, "transfer.record", request.reference, {"persons": len(request.persons)}
        )

    def change(self, reference: str, new: TransferStatus, actor: Actor, note: str = "") -> str:
        """Move a request on; the procedure refuses a change out of order."""
        row = self._row(reference)
        TransferStatus(row.status).transition_to(new)
        row.status = new.value
        self.session.add(
            RequestEventRow(
                request_id=row.id,
                status=new.value,
                at=datetime.now(UTC),
                agency=actor.agency,
                note=note,
            )
        )
        AuditLog(self.session).append(
            actor.user, "transfer." + new.value, reference, {"note": note}
        )
        return row.status

    def get(self, reference: str) -> TransferRequest:
        row = self._row(reference)
        persons = self.session.scalars(
            select(RequestPersonRow)
            .where(RequestPersonRow.request_id == row.id)
            .order_by(RequestPersonRow.seq)
        )
        return TransferRequest(
            row.reference,
            row.requesting_agency,
            row.partner_agency,
            row.legal_basis,
            row.status,
            row.created_at,
            tuple(RequestedPerson(p.name, p.birth_date, p.document, p.person_id) for p in persons),
        )

    def all(self) -> list[TransferRequest]:
        refs = self.session.scalars(
            select(TransferRequestRow.reference).order_by(TransferRequestRow.id)
        )
        return [self.get(r) for r in refs]

    def _row(self, reference: str) -> TransferRequestRow:
        row = self.session.scalar(
            select(TransferRequestRow).where(TransferRequestRow.reference == reference)
        )
        if row is None:
            raise UnknownCase(f"no transfer request {reference!r}")
        return row

    def _describe(self, person_id: int) -> RequestedPerson:
        row = self.session.get(PersonRow, person_id)
        if row is None:
            raise UnknownCase(f"no person {person_id}")
        name = self.session.scalar(
            select(PersonNameRow.text)
            .where(PersonNameRow.person_id == person_id)
            .order_by(PersonNameRow.position)
        )
        document = row.documents[0].number if row.documents else None
        return RequestedPerson(name or "", row.birth_date, document, person_id)

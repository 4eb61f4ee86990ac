"""Transfer requests and their events: the tables' plain queries.

The procedure (who may move a request, in which order) is in :mod:`scamnet.cases.transfers`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.cases import RequestedPerson, TransferRequest
from scamnet.store.models import AgencyRow, PersonNameRow, PersonRow
from scamnet.store.tables.transfers import RequestEventRow, RequestPersonRow, TransferRequestRow


class SqlTransferStore:
    """Implements :class:`scamnet.cases.ports.TransferStore`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def agency_exists(self, code: str) -> bool:
        return self.session.scalar(select(AgencyRow.id).where(AgencyRow.code == code)) is not None

    def add(self, request: TransferRequest) -> None:
        row = TransferRequestRow(
            reference=request.reference, requesting_agency=request.requesting_agency,
            partner_agency=request.partner_agency, legal_basis=request.legal_basis,
            status=request.status, created_at=request.created_at,
        )  # fmt: skip
        self.session.add(row)
        self.session.flush()
        for seq, p in enumerate(request.persons, start=1):
            self.session.add(
                RequestPersonRow(request_id=row.id, seq=seq, name=p.name, birth_date=p.birth_date,
                                 document=p.document, person_id=p.person_id)
            )  # fmt: skip

    def add_event(self, reference: str, status: str, at: datetime, agency: str, note: str) -> None:
        row = self._row(reference)
        assert row is not None
        row.status = status
        self.session.add(
            RequestEventRow(request_id=row.id, status=status, at=at, agency=agency, note=note)
        )
        self.session.flush()

    def get(self, reference: str) -> TransferRequest | None:
        row = self._row(reference)
        if row is None:
            return None
        persons = self.session.scalars(
            select(RequestPersonRow)
            .where(RequestPersonRow.request_id == row.id)
            .order_by(RequestPersonRow.seq)
        )
        return TransferRequest(
            row.reference, row.requesting_agency, row.partner_agency, row.legal_basis, row.status,
            row.created_at,
            tuple(RequestedPerson(p.name, p.birth_date, p.document, p.person_id) for p in persons),
        )  # fmt: skip

    def references(self) -> list[str]:
        return list(
            self.session.scalars(
                select(TransferRequestRow.reference).order_by(TransferRequestRow.id)
            )
        )

    def describe_person(self, person_id: int) -> RequestedPerson | None:
        row = self.session.get(PersonRow, person_id)
        if row is None:
            return None
        name = self.session.scalar(
            select(PersonNameRow.text)
            .where(PersonNameRow.person_id == person_id)
            .order_by(PersonNameRow.position)
        )
        document = row.documents[0].number if row.documents else None
        return RequestedPerson(name or "", row.birth_date, document, person_id)

    def _row(self, reference: str) -> TransferRequestRow | None:
        return self.session.scalar(
            select(TransferRequestRow).where(TransferRequestRow.reference == reference)
        )

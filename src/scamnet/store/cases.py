"""Cases and their suspects. Every status change goes through the lifecycle table
and leaves its author, time, agency and legal basis, in the case and in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scamnet.core.cases import CaseOrigin, require_legal_basis
from scamnet.core.errors import InvalidRecord
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.store.audit import AuditLog
from scamnet.store.casemodels import CaseRow, StatusChangeRow, SuspectRow
from scamnet.store.models import (
    AlertRow,
    GroupRow,
    MembershipRow,
    PersonRow,
    VictimReportRow,
    WarrantRow,
)


class UnknownCase(LookupError):
    """No case, suspect or origin with that reference."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, for which agency: every change in casework records both."""

    user: str
    agency: str


@dataclass(frozen=True, slots=True)
class SuspectView:
    id: int
    case: str
    person_id: int
    role: str | None
    status: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    from_status: str | None
    to_status: str
    at: datetime
    author: str
    agency: str
    legal_basis: str


class CaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditLog(session)

    def open(self, title: str, origin: CaseOrigin, origin_ref: str | None, actor: Actor) -> str:
        """Open a case; a group, alert or report origin must exist. Returns its reference."""
        if not title.strip():
            raise InvalidRecord("a case needs a title")
        self._check_origin(origin, origin_ref)
        year = datetime.now(UTC).year
        count = self.session.scalar(select(func.count()).select_from(CaseRow)) or 0
        reference = f"C-{year}-{count + 1:05d}"
        self.session.add(
            CaseRow(
                reference=reference,
                title=title.strip(),
                origin=origin.value,
                origin_ref=origin_ref,
                agency=actor.agency,
                opened_by=actor.user,
                opened_at=datetime.now(UTC),
            )
        )
        self.session.flush()
        self.audit.append(
            actor.user, "case.open", reference, {"origin": origin.value, "ref": origin_ref}
        )
        if origin is CaseOrigin.GROUP and origin_ref is not None:
            self._add_members(reference, int(origin_ref), actor)
        return reference

    def _check_origin(self, origin: CaseOrigin, ref: str | None) -> None:
        if origin is CaseOrigin.MANUAL:
            return
        if ref is None:
            raise InvalidRecord(f"a case opened from a {origin.value} names it")
        found: object = None
        if origin is CaseOrigin.GROUP and ref.isdigit():
            found = self.session.get(GroupRow, int(ref))
        elif origin is CaseOrigin.ALERT and ref.isdigit():
            found = self.session.get(AlertRow, int(ref))
        elif origin is CaseOrigin.REPORT:
            found = self.session.scalar(
                select(VictimReportRow.id).where(VictimReportRow.report_id == ref)
            )
        if found is None:
            raise UnknownCase(f"no {origin.value} {ref!r} to open a case from")

    def _add_members(self, reference: str, group_id: int, actor: Actor) -> None:
        rows = self.session.execute(
            select(MembershipRow.person_id, MembershipRow.role).where(
                MembershipRow.group_id == group_id
            )
        )
        for person_id, role in rows:
            self.add_suspect(
                reference,
                person_id,
                Role(role),
                SuspectStatus.IDENTIFIED,
                actor,
                f"member of group {group_id}",
            )

    def case_id(self, reference: str) -> int:
        found = self.session.scalar(select(CaseRow.id).where(CaseRow.reference == reference))
        if found is None:
            raise UnknownCase(f"no case {reference!r}")
        return found

    def add_suspect(
        self,
        reference: str,
        person_id: int,
        role: Role | None,
        status: SuspectStatus,
        actor: Actor,
        legal_basis: str,
    ) -> int:
        basis = require_legal_basis(legal_basis)
        case_id = self.case_id(reference)
        if self.session.get(PersonRow, person_id) is None:
            raise UnknownCase(f"no person {person_id}")
        existing = self.session.scalar(
            select(SuspectRow.id).where(
                SuspectRow.case_id == case_id, SuspectRow.person_id == person_id
            )
        )
        if existing is not None:
            raise InvalidRecord(f"person {person_id} is already a suspect in {reference}")
        row = SuspectRow(
            case_id=case_id,
            person_id=person_id,
            role=role.value if role else None,
            status=status.value,
        )
        self.session.add(row)
        self.session.flush()
        self._record(row, None, status, actor, basis)
        return row.id

    def change_status(
        self, suspect_id: int, new: SuspectStatus, actor: Actor, legal_basis: str
    ) -> SuspectView:
        """Move a suspect on; an illegal change raises and nothing is written."""
        basis = require_legal_basis(legal_basis)
        row = self.session.get(SuspectRow, suspect_id)
        if row is None:
            raise UnknownCase(f"no suspect {suspect_id}")
        current = SuspectStatus(row.status)
        current.transition_to(new)
        row.status = new.value
        self._record(row, current, new, actor, basis)
        return self._view(row)

    def issue_warrant(self, suspect_id: int, warrant_id: str, actor: Actor) -> SuspectView:
        """A warrant makes a suspect a fugitive: their status becomes wanted."""
        warrant = self.session.scalar(select(WarrantRow).where(WarrantRow.warrant_id == warrant_id))
        if warrant is None:
            raise UnknownCase(f"no warrant {warrant_id!r}")
        row = self.session.get(SuspectRow, suspect_id)
        if row is None:
            raise UnknownCase(f"no suspect {suspect_id}")
        if warrant.person_id is None:
            warrant.person_id = row.person_id
        elif warrant.person_id != row.person_id:
            raise InvalidRecord(f"warrant {warrant_id} names another person")
        return self.change_status(suspect_id, SuspectStatus.WANTED, actor, f"warrant {warrant_id}")

    def _record(
        self,
        row: SuspectRow,
        old: SuspectStatus | None,
        new: SuspectStatus,
        actor: Actor,
        basis: str,
    ) -> None:
        now = datetime.now(UTC)
        self.session.add(
            StatusChangeRow(
                suspect_id=row.id,
                from_status=old.value if old else None,
                to_status=new.value,
                at=now,
                author=actor.user,
                agency=actor.agency,
                legal_basis=basis,
            )
        )
        self.audit.append(
            actor.user,
            "suspect.status",
            f"suspect:{row.id}",
            {
                "person": row.person_id,
                "from": old.value if old else None,
                "to": new.value,
                "agency": actor.agency,
                "basis": basis,
            },
        )

    def suspects(
        self, reference: str | None = None, person_id: int | None = None
    ) -> list[SuspectView]:
        query = select(SuspectRow).order_by(SuspectRow.id)
        if reference is not None:
            query = query.where(SuspectRow.case_id == self.case_id(reference))
        if person_id is not None:
            query = query.where(SuspectRow.person_id == person_id)
        return [self._view(r) for r in self.session.scalars(query)]

    def history(self, suspect_id: int) -> list[StatusChange]:
        rows = self.session.scalars(
            select(StatusChangeRow)
            .where(StatusChangeRow.suspect_id == suspect_id)
            .order_by(StatusChangeRow.id)
        )
        return [
            StatusChange(r.from_status, r.to_status, r.at, r.author, r.agency, r.legal_basis)
            for r in rows
        ]

    def cases(self) -> list[CaseRow]:
        return list(self.session.scalars(select(CaseRow).order_by(CaseRow.id)))

    def _view(self, row: SuspectRow) -> SuspectView:
        reference = self.session.scalar(select(CaseRow.reference).where(CaseRow.id == row.case_id))
        return SuspectView(row.id, reference or "", row.person_id, row.role, row.status)

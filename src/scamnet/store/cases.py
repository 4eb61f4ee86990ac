"""Cases, suspects and their status history: the tables' plain queries.

The rules (origins, the lifecycle, warrants, audit) are in :mod:`scamnet.cases`.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from scamnet.core.cases import CaseOrigin, CaseSummary, StatusChange, SuspectView
from scamnet.core.entities import GroupMember
from scamnet.core.suspect import SuspectStatus
from scamnet.store.models import (
    AlertRow,
    GroupRow,
    ManifestEntryRow,
    MembershipRow,
    PersonRow,
    VictimReportRow,
    WarrantRow,
)
from scamnet.store.tables.cases import CaseRow, StatusChangeRow, SuspectRow
from scamnet.store.tables.network import GroupNodeRow


class SqlCaseStore:
    """Implements :class:`scamnet.cases.ports.CaseStore`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(CaseRow)) or 0

    def add_case(self, case: CaseSummary) -> None:
        self.session.add(
            CaseRow(reference=case.reference, title=case.title, origin=case.origin,
                    origin_ref=case.origin_ref, agency=case.agency, opened_by=case.opened_by,
                    opened_at=case.opened_at)
        )  # fmt: skip
        self.session.flush()

    def case_id(self, reference: str) -> int | None:
        return self.session.scalar(select(CaseRow.id).where(CaseRow.reference == reference))

    def case(self, reference: str) -> CaseSummary | None:
        row = self.session.scalar(select(CaseRow).where(CaseRow.reference == reference))
        return self._summary(row) if row is not None else None

    def cases(self) -> list[CaseSummary]:
        return [
            self._summary(r) for r in self.session.scalars(select(CaseRow).order_by(CaseRow.id))
        ]

    def case_from(self, origin: str, origin_ref: str) -> str | None:
        """The reference of a case already opened from this origin, if any."""
        return self.session.scalar(
            select(CaseRow.reference)
            .where(CaseRow.origin == origin, CaseRow.origin_ref == origin_ref)
            .order_by(CaseRow.id)
        )

    def origin_exists(self, origin: CaseOrigin, ref: str) -> bool:
        found: object = None
        if origin is CaseOrigin.GROUP and ref.isdigit():
            found = self.session.get(GroupRow, int(ref))
        elif origin is CaseOrigin.ALERT and ref.isdigit():
            found = self.session.get(AlertRow, int(ref))
        elif origin is CaseOrigin.REPORT:
            found = self.session.scalar(
                select(VictimReportRow.id).where(VictimReportRow.report_id == ref)
            )
        return found is not None

    def group_members(self, group_id: int) -> list[GroupMember]:
        """A group's members with their confidence: the identifiers a network run found
        (by graph key, with their evidence), or, for a group an analyst entered, its
        persons (certain: the analyst entered them)."""
        found = self.session.scalars(
            select(GroupNodeRow)
            .where(GroupNodeRow.group_id == group_id)
            .order_by(GroupNodeRow.rank)
        ).all()
        if found:
            return [GroupMember(r.node, r.kind, r.role, r.score, r.evidence, r.confidence,
                                r.person_id) for r in found]  # fmt: skip
        rows = self.session.execute(
            select(MembershipRow.person_id, MembershipRow.role)
            .where(MembershipRow.group_id == group_id)
            .order_by(MembershipRow.person_id)
        )
        return [GroupMember(f"person:{p}", "person", str(r), 1.0, "entered by an analyst", 1.0,
                            int(p)) for p, r in rows]  # fmt: skip

    def groups_of(self, person_ids: list[int]) -> list[tuple[int, int]]:
        """(group id, person id) for each membership of these persons."""
        rows = self.session.execute(
            select(MembershipRow.group_id, MembershipRow.person_id).where(
                MembershipRow.person_id.in_(person_ids)
            )
        )
        return [(int(g), int(p)) for g, p in rows]

    def network_groups(self) -> list[int]:
        """Groups found by the network analysis (not those entered by hand)."""
        return list(
            self.session.scalars(
                select(GroupRow.id).where(GroupRow.origin == "network").order_by(GroupRow.id)
            )
        )

    def person_exists(self, person_id: int) -> bool:
        return self.session.get(PersonRow, person_id) is not None

    def suspect_in(self, case_id: int, person_id: int) -> int | None:
        return self.session.scalar(
            select(SuspectRow.id).where(
                SuspectRow.case_id == case_id, SuspectRow.person_id == person_id
            )
        )

    def add_suspect(self, case_id: int, person_id: int, role: str | None, status: str) -> int:
        row = SuspectRow(case_id=case_id, person_id=person_id, role=role, status=status)
        self.session.add(row)
        self.session.flush()
        return row.id

    def suspect(self, suspect_id: int) -> SuspectView | None:
        row = self.session.get(SuspectRow, suspect_id)
        return self._view(row) if row is not None else None

    def set_status(self, suspect_id: int, status: str) -> None:
        row = self.session.get(SuspectRow, suspect_id)
        assert row is not None
        row.status = status

    def add_status_change(self, suspect_id: int, change: StatusChange) -> None:
        self.session.add(
            StatusChangeRow(suspect_id=suspect_id, from_status=change.from_status,
                            to_status=change.to_status, at=change.at, author=change.author,
                            agency=change.agency, legal_basis=change.legal_basis)
        )  # fmt: skip

    def suspects(
        self, case_id: int | None = None, person_id: int | None = None
    ) -> list[SuspectView]:
        query = select(SuspectRow).order_by(SuspectRow.id)
        if case_id is not None:
            query = query.where(SuspectRow.case_id == case_id)
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

    def warrant_person(self, warrant_id: str) -> tuple[bool, int | None]:
        """(whether the warrant exists, the person it is linked to)."""
        row = self.session.scalar(select(WarrantRow).where(WarrantRow.warrant_id == warrant_id))
        return (row is not None, row.person_id if row is not None else None)

    def warrant_handling(self, warrant_id: str) -> tuple[str, str] | None:
        """(the issuing agency, the handling code) of a warrant held here."""
        row = self.session.execute(
            select(WarrantRow.agency, WarrantRow.handling).where(
                WarrantRow.warrant_id == warrant_id
            )
        ).first()
        return None if row is None else (row[0], row[1])

    def link_warrant(self, warrant_id: str, person_id: int) -> None:
        row = self.session.scalar(select(WarrantRow).where(WarrantRow.warrant_id == warrant_id))
        if row is not None and row.person_id is None:
            row.person_id = person_id

    def is_wanted(self, person_id: int) -> bool:
        """A suspect with status wanted, or a person an unexecuted warrant names."""
        return bool(self.session.scalar(_IS_WANTED, {"pid": person_id}))

    def _summary(self, row: CaseRow) -> CaseSummary:
        n = self.session.scalar(
            select(func.count()).select_from(SuspectRow).where(SuspectRow.case_id == row.id)
        )
        return CaseSummary(row.reference, row.title, row.origin, row.origin_ref, row.agency,
                           row.opened_by, row.opened_at, n or 0, row.handling)  # fmt: skip

    def _view(self, row: SuspectRow) -> SuspectView:
        reference = self.session.scalar(select(CaseRow.reference).where(CaseRow.id == row.case_id))
        return SuspectView(row.id, reference or "", row.person_id, row.role, row.status)


# Built once, with the person as a parameter, and asked in one round trip: a handover
# asks it for every manifest line, and building the statement cost more than running it.
_IS_WANTED = select(
    or_(
        exists().where(
            SuspectRow.person_id == bindparam("pid"),
            SuspectRow.status == SuspectStatus.WANTED.value,
        ),
        exists().where(
            WarrantRow.person_id == bindparam("pid"),
            WarrantRow.warrant_id.not_in(
                select(ManifestEntryRow.warrant_id).where(ManifestEntryRow.warrant_id.is_not(None))
            ),
        ),
    )
)

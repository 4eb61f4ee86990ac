"""Agencies and their hierarchy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.entities import Agency, AgencyLevel
from scamnet.store.audit import AuditLog
from scamnet.store.models import AgencyRow


class UnknownAgency(LookupError):
    """No agency has that code."""


class AgencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, agency: Agency) -> Agency:
        """Store a new agency; its parent must already exist."""
        row = AgencyRow(
            code=agency.code,
            name=agency.name,
            level=agency.level.value,
            country=agency.country,
            parent_id=self._id_of(agency.parent_code) if agency.parent_code else None,
        )
        self.session.add(row)
        self.session.flush()
        agency.id = row.id
        return agency

    def ensure(self, agencies: list[Agency], by: str | None = None) -> int:
        """Add those not yet known (by code), parents first; return how many were added.

        With ``by``, the load is audited in that user's name.
        """
        known = set(self.session.scalars(select(AgencyRow.code)))
        added = 0
        for agency in agencies:
            if agency.code not in known:
                self.add(agency)
                known.add(agency.code)
                added += 1
        if by is not None:
            AuditLog(self.session).append(by, "reference.load", "agencies", {"added": added})
        return added

    def get(self, code: str) -> Agency:
        row = self.session.scalar(select(AgencyRow).where(AgencyRow.code == code))
        if row is None:
            raise UnknownAgency(f"no agency with code {code!r}")
        return _to_domain(row)

    def all(self) -> list[Agency]:
        rows = self.session.scalars(select(AgencyRow).order_by(AgencyRow.id))
        return [_to_domain(r) for r in rows]

    def children(self, code: str) -> list[Agency]:
        parent = self._id_of(code)
        rows = self.session.scalars(
            select(AgencyRow).where(AgencyRow.parent_id == parent).order_by(AgencyRow.code)
        )
        return [_to_domain(r) for r in rows]

    def _id_of(self, code: str) -> int:
        found = self.session.scalar(select(AgencyRow.id).where(AgencyRow.code == code))
        if found is None:
            raise UnknownAgency(f"no agency with code {code!r}")
        return found


def _to_domain(row: AgencyRow) -> Agency:
    return Agency(
        code=row.code,
        name=row.name,
        level=AgencyLevel(row.level),
        country=row.country,
        parent_code=row.parent.code if row.parent else None,
        id=row.id,
    )

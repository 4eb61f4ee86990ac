"""Plain queries the interchange formats read and write: groups with their sites and
members, persons with their names, documents and identifiers, cells, the indicators
victims reported and analysts confirmed. The rules are in :mod:`scamnet.interop`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.entities import Person
from scamnet.store.models import (
    AlertRow,
    CellRow,
    GroupRow,
    MembershipRow,
    PersonRow,
    PersonSourceRow,
    SiteRow,
    VictimReportRow,
)
from scamnet.store.persons import PersonRepository
from scamnet.store.tables.network import GroupNodeRow


class InteropQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def groups(self, group_id: int | None = None) -> list[GroupRow]:
        query = select(GroupRow).order_by(GroupRow.id)
        if group_id is not None:
            query = query.where(GroupRow.id == group_id)
        return list(self.session.scalars(query))

    def nodes(self, group_id: int) -> list[GroupNodeRow]:
        query = select(GroupNodeRow).where(GroupNodeRow.group_id == group_id)
        return list(self.session.scalars(query.order_by(GroupNodeRow.rank)))

    def memberships(self, group_id: int) -> list[MembershipRow]:
        query = select(MembershipRow).where(MembershipRow.group_id == group_id)
        return list(self.session.scalars(query.order_by(MembershipRow.person_id)))

    def sites(self, group_id: int | None = None) -> list[SiteRow]:
        query = select(SiteRow).order_by(SiteRow.id)
        if group_id is not None:
            query = query.where(SiteRow.group_id == group_id)
        return list(self.session.scalars(query))

    def cells(self, cell_ids: Iterable[str] | None = None) -> list[CellRow]:
        query = select(CellRow).order_by(CellRow.cell_id)
        if cell_ids is not None:
            query = query.where(CellRow.cell_id.in_(sorted(set(cell_ids))))
        return list(self.session.scalars(query))

    def person_rows(self, ids: Iterable[int]) -> list[PersonRow]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        query = select(PersonRow).where(PersonRow.id.in_(wanted)).order_by(PersonRow.id)
        return list(self.session.scalars(query))

    def persons(self, ids: Iterable[int]) -> list[Person]:
        repo = PersonRepository(self.session)
        return [repo.get(i) for i in sorted(set(ids))]

    def reports(self) -> list[VictimReportRow]:
        query = select(VictimReportRow).order_by(VictimReportRow.filed_at, VictimReportRow.id)
        return list(self.session.scalars(query))

    def confirmed_alerts(self) -> list[AlertRow]:
        query = select(AlertRow).where(AlertRow.verdict == "confirmed").order_by(AlertRow.id)
        return list(self.session.scalars(query))

    def sourced(self, source: str) -> dict[str, int]:
        """The records already taken from ``source``: record id → person id."""
        query = select(PersonSourceRow.record_id, PersonSourceRow.person_id).where(
            PersonSourceRow.source_agency == source
        )
        return {rid: pid for rid, pid in self.session.execute(query)}

    def add_source(self, person_id: int, source: str, record_id: str) -> None:
        self.session.add(
            PersonSourceRow(person_id=person_id, source_agency=source, record_id=record_id)
        )
        self.session.flush()

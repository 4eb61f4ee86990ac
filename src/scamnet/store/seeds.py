"""What the network analysis starts from, read from the store: alerts, victim reports,
cells and person names. Plain queries; the rules are in :mod:`scamnet.network.service`."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.store.models import AlertRow, CellRow, PersonNameRow, VictimReportRow


class SqlNetworkInputs:
    """Implements :class:`scamnet.network.service.NetworkInputs`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def alerts(self, kinds: tuple[str, ...], threshold: float) -> list[tuple[str, str, float]]:
        """(kind, subject, score) of alerts at or above ``threshold`` that no analyst refuted."""
        query = select(AlertRow.kind, AlertRow.subject, AlertRow.score).where(
            AlertRow.score >= threshold,
            AlertRow.kind.in_(kinds),
            AlertRow.verdict.is_distinct_from("false_positive"),
        )
        return [(str(k), str(s), float(x)) for k, s, x in self.session.execute(query)]

    def reported(self) -> list[tuple[str | None, str | None]]:
        """(scammer phone, scammer account) of every victim report."""
        query = select(VictimReportRow.scammer_phone, VictimReportRow.scammer_account)
        return [(p, a) for p, a in self.session.execute(query)]

    def cells(self) -> list[tuple[str, float, float, str, str, bool]]:
        """(cell id, latitude, longitude, country, region, border) of every known cell."""
        return [
            (r.cell_id, r.lat, r.lon, r.country, r.region or "", bool(r.border))
            for r in self.session.scalars(select(CellRow))
        ]

    def person_names(self) -> dict[int, str]:
        """Each person's first-listed name (the one a reader knows them by)."""
        rows = self.session.execute(
            select(PersonNameRow.person_id, PersonNameRow.text).order_by(
                PersonNameRow.position.desc()
            )
        )
        return {pid: text for pid, text in rows}


def cell_reference(session: Session, schema: pa.Schema) -> pa.Table:
    """The cell table as the subscriber features need it (``schema`` names the columns)."""
    rows = session.execute(select(CellRow.cell_id, CellRow.region, CellRow.country, CellRow.border))
    return pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema)

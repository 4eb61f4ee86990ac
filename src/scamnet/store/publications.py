"""Names approved for publication: the table's plain queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.store.tables.publications import PublicationRow


class SqlPublicationStore:
    """Implements :class:`scamnet.cases.ports.PublicationStore`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, person_id: int, text: str, by: str, at: datetime) -> None:
        row = self.session.scalar(
            select(PublicationRow).where(PublicationRow.person_id == person_id)
        )
        if row is None:
            self.session.add(PublicationRow(person_id=person_id, approved_by=by, approved_at=at,
                                            text=text))  # fmt: skip
        else:
            row.text, row.approved_by, row.approved_at = text, by, at

    def remove(self, person_id: int) -> bool:
        row = self.session.scalar(
            select(PublicationRow).where(PublicationRow.person_id == person_id)
        )
        if row is None:
            return False
        self.session.delete(row)
        return True

    def approved(self) -> list[str]:
        return list(self.session.scalars(select(PublicationRow.text).order_by(PublicationRow.id)))

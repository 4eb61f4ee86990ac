"""Operations with their targets and outcomes: the tables' plain queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.cases import OperationView
from scamnet.store.tables.operations import OperationItemRow, OperationRow


class SqlOperationStore:
    """Implements :class:`scamnet.cases.ports.OperationStore`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def exists(self, name: str) -> bool:
        return self._id(name) is not None

    def add(self, name: str, agency: str, started_on: date) -> None:
        self.session.add(OperationRow(name=name, agency=agency, started_on=started_on))
        self.session.flush()

    def add_item(self, name: str, item: str, kind: str, ref: str, on: date | None) -> None:
        op = self._id(name)
        assert op is not None
        self.session.add(OperationItemRow(operation_id=op, item=item, kind=kind, ref=ref, on=on))

    def all(self) -> list[OperationView]:
        out = []
        for op in self.session.scalars(select(OperationRow).order_by(OperationRow.started_on)):
            items = list(
                self.session.scalars(
                    select(OperationItemRow)
                    .where(OperationItemRow.operation_id == op.id)
                    .order_by(OperationItemRow.id)
                )
            )
            out.append(
                OperationView(
                    op.name, op.agency, op.started_on,
                    tuple((i.kind, i.ref) for i in items if i.item == "target"),
                    tuple((i.kind, i.ref, i.on) for i in items if i.item == "outcome"),
                )
            )  # fmt: skip
        return out

    def _id(self, name: str) -> int | None:
        return self.session.scalar(select(OperationRow.id).where(OperationRow.name == name))

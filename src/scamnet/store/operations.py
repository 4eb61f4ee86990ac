"""Operations: targeted actions with their targets and outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.cases import OutcomeKind, TargetKind
from scamnet.core.errors import InvalidRecord
from scamnet.store.audit import AuditLog
from scamnet.store.casemodels import OperationItemRow, OperationRow
from scamnet.store.cases import Actor, UnknownCase


@dataclass(frozen=True, slots=True)
class OperationView:
    name: str
    agency: str
    started_on: date
    targets: tuple[tuple[str, str], ...]
    outcomes: tuple[tuple[str, str, date | None], ...]


class OperationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, name: str, started_on: date, actor: Actor) -> None:
        if not name.strip():
            raise InvalidRecord("an operation needs a name")
        if self._row(name, missing_ok=True) is not None:
            raise InvalidRecord(f"operation {name!r} already exists")
        self.session.add(
            OperationRow(name=name.strip(), agency=actor.agency, started_on=started_on)
        )
        AuditLog(self.session).append(actor.user, "operation.create", name, {})

    def target(self, name: str, kind: TargetKind, ref: str, actor: Actor) -> None:
        self._add(name, "target", kind.value, ref, None, actor)

    def outcome(self, name: str, kind: OutcomeKind, ref: str, on: date, actor: Actor) -> None:
        self._add(name, "outcome", kind.value, ref, on, actor)

    def _add(
        self, name: str, item: str, kind: str, ref: str, on: date | None, actor: Actor
    ) -> None:
        op = self._row(name)
        assert op is not None
        if not ref.strip():
            raise InvalidRecord(f"an operation {item} names what it concerns")
        self.session.add(OperationItemRow(operation_id=op.id, item=item, kind=kind, ref=ref, on=on))
        AuditLog(self.session).append(
            actor.user, f"operation.{item}", name, {"kind": kind, "ref": ref}
        )

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
                    op.name,
                    op.agency,
                    op.started_on,
                    tuple((i.kind, i.ref) for i in items if i.item == "target"),
                    tuple((i.kind, i.ref, i.on) for i in items if i.item == "outcome"),
                )
            )
        return out

    def _row(self, name: str, missing_ok: bool = False) -> OperationRow | None:
        row = self.session.scalar(select(OperationRow).where(OperationRow.name == name.strip()))
        if row is None and not missing_ok:
            raise UnknownCase(f"no operation {name!r}")
        return row

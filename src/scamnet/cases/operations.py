"""Operations: targeted actions (raids, sweeps) with their targets and outcomes."""

from __future__ import annotations

from datetime import date

from scamnet.cases.ports import UnitOfWork
from scamnet.core.access import Actor
from scamnet.core.cases import OperationView, OutcomeKind, TargetKind
from scamnet.core.errors import InvalidRecord, NotFound


def create(uow: UnitOfWork, actor: Actor, name: str, started_on: date) -> None:
    name = name.strip()
    if not name:
        raise InvalidRecord("an operation needs a name")
    if uow.operations.exists(name):
        raise InvalidRecord(f"operation {name!r} already exists")
    uow.operations.add(name, actor.agency, started_on)
    uow.audit.append(actor.user, "operation.create", name, {})


def target(uow: UnitOfWork, actor: Actor, name: str, kind: TargetKind, ref: str) -> None:
    _add(uow, actor, name, "target", kind.value, ref, None)


def outcome(
    uow: UnitOfWork, actor: Actor, name: str, kind: OutcomeKind, ref: str, on: date
) -> None:
    _add(uow, actor, name, "outcome", kind.value, ref, on)


def _add(
    uow: UnitOfWork, actor: Actor, name: str, item: str, kind: str, ref: str, on: date | None
) -> None:
    name = name.strip()
    if not uow.operations.exists(name):
        raise NotFound(f"no operation {name!r}")
    if not ref.strip():
        raise InvalidRecord(f"an operation {item} names what it concerns")
    uow.operations.add_item(name, item, kind, ref.strip(), on)
    uow.audit.append(actor.user, f"operation.{item}", name, {"kind": kind, "ref": ref})


def list_operations(uow: UnitOfWork) -> list[OperationView]:
    return uow.operations.all()

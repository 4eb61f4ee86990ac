"""Transfer requests: one agency asks a partner to hand over named persons.

The reference is global (it travels in signed bundles), so both instances keep
the same request under the same reference and move it through the same states.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from scamnet.cases.matching import load_known
from scamnet.cases.ports import UnitOfWork
from scamnet.core.access import Actor
from scamnet.core.cases import (
    RequestedPerson,
    TransferRequest,
    TransferStatus,
    require_legal_basis,
)
from scamnet.core.description import Description
from scamnet.core.errors import InvalidRecord, NotFound


def create(
    uow: UnitOfWork, actor: Actor, partner: str, person_ids: list[int], legal_basis: str
) -> str:
    """A new request from ``actor``'s agency for persons known here."""
    if not person_ids:
        raise InvalidRecord("a transfer request names at least one person")
    persons = []
    for pid in person_ids:
        described = uow.transfers.describe_person(pid)
        if described is None:
            raise NotFound(f"no person {pid}")
        persons.append(described)
    now = datetime.now(UTC)
    reference = f"TR-{actor.agency}-{now:%Y%m%d}-{secrets.token_hex(3)}"
    record(uow, actor, TransferRequest(reference, actor.agency, partner, legal_basis,
                                       TransferStatus.SENT.value, now, tuple(persons)))  # fmt: skip
    return reference


def record(uow: UnitOfWork, actor: Actor, request: TransferRequest) -> None:
    """Store a request, ours or one a partner sent us."""
    basis = require_legal_basis(request.legal_basis)
    for code in (request.requesting_agency, request.partner_agency):
        if not uow.transfers.agency_exists(code):
            raise InvalidRecord(f"unknown agency {code!r}")
    if request.requesting_agency == request.partner_agency:
        raise InvalidRecord("a request goes to another agency")
    if uow.transfers.get(request.reference) is not None:
        raise InvalidRecord(f"transfer request {request.reference} already exists")
    sent = TransferStatus.SENT.value
    uow.transfers.add(
        TransferRequest(request.reference, request.requesting_agency, request.partner_agency,
                        basis, sent, request.created_at, request.persons)
    )  # fmt: skip
    uow.transfers.add_event(request.reference, sent, request.created_at,
                            request.requesting_agency, basis)  # fmt: skip
    uow.audit.append(actor.user, "transfer.record", request.reference,
                     {"persons": len(request.persons)})  # fmt: skip


def match_persons(uow: UnitOfWork, persons: list[RequestedPerson]) -> list[RequestedPerson]:
    """A partner's named persons, each linked to the person known here when one matches."""
    queries = [Description((p.name,), p.birth_date, frozenset({p.document} if p.document else ()))
               for p in persons]  # fmt: skip
    known = load_known(uow.person_index, queries)
    out = []
    for p, query in zip(persons, queries, strict=True):
        best = known.best_person(query)
        out.append(
            RequestedPerson(p.name, p.birth_date, p.document,
                            int(best.ref.split(":")[1]) if best else None)
        )  # fmt: skip
    return out


def change(
    uow: UnitOfWork, actor: Actor, reference: str, new: TransferStatus, note: str = ""
) -> str:
    """Move a request on; the procedure refuses a change out of order."""
    request = get(uow, reference)
    TransferStatus(request.status).transition_to(new)
    uow.transfers.add_event(reference, new.value, datetime.now(UTC), actor.agency, note)
    uow.audit.append(actor.user, "transfer." + new.value, reference, {"note": note})
    return new.value


def execute_for_batch(uow: UnitOfWork, actor: Actor, reference: str, batch_id: str) -> None:
    """A handover executes the request it answers (once; a resent batch changes nothing)."""
    if get(uow, reference).status != TransferStatus.EXECUTED.value:
        change(uow, actor, reference, TransferStatus.EXECUTED, f"handover batch {batch_id}")


def get(uow: UnitOfWork, reference: str) -> TransferRequest:
    found = uow.transfers.get(reference)
    if found is None:
        raise NotFound(f"no transfer request {reference!r}")
    return found


def list_requests(uow: UnitOfWork, actor: Actor) -> list[TransferRequest]:
    """The requests made by or to an agency the actor may read."""
    seen = uow.access.visibility(actor)
    found = [get(uow, r) for r in uow.transfers.references()]
    return [t for t in found if seen.ceiling(t.requesting_agency) is not None
            or seen.ceiling(t.partner_agency) is not None]  # fmt: skip


def read_request(uow: UnitOfWork, actor: Actor, reference: str) -> TransferRequest:
    """One request with its named persons, if made by or to an agency the actor may
    read: an audited read (the reason given is recorded)."""
    request = get(uow, reference)
    seen = uow.access.visibility(actor)
    if seen.ceiling(request.requesting_agency) is None and (
        seen.ceiling(request.partner_agency) is None
    ):
        raise NotFound(f"no transfer request {reference!r}")
    uow.audit.append(actor.user, "transfer.read", reference,
                     {"agency": actor.agency, "why": actor.why,
                      "persons": [p.person_id for p in request.persons]})  # fmt: skip
    return request

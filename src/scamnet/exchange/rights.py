"""What a partner may do here: the one place a received payload is admitted or refused.

A valid signature says who sent a bundle, not what it may change. :func:`admit`
checks a verified bundle's payload against the rules of docs/exchange.md (the
table there lists the same rule names) before any of it is applied, and refuses
with the rule's name. It only reads the store, so a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from scamnet.core.cases import IllegalRequestChange, TransferRequest, TransferStatus
from scamnet.exchange.bundle import BundleKind, BundleRefused, _rule_of, describe
from scamnet.exchange.schema import (
    PAYLOADS,
    HandoverManifestPayload,
    Strict,
    TransferRequestPayload,
    TransferStatusPayload,
    WantedListPayload,
)
from scamnet.store.agencies import AgencyRepository
from scamnet.store.uow import SqlUnitOfWork

# Which moves each side of a request may make by bundle. The requesting side
# creates the request (a transfer_request bundle); only the requested side answers.
SIDE_MAY: dict[str, frozenset[TransferStatus]] = {
    "requesting": frozenset(),
    "requested": frozenset(
        {TransferStatus.ACKNOWLEDGED, TransferStatus.REFUSED, TransferStatus.EXECUTED}
    ),
}


@dataclass(frozen=True)
class Context:
    """Who sent the bundle and which agencies this instance answers for."""

    sender: str
    here: frozenset[str]  # this instance's agency and its children


def answers_for(session: Session, agency: str) -> frozenset[str]:
    """This instance's agency and every agency below it."""
    below = {a.code: a.parent_code for a in AgencyRepository(session).all()}
    found = {agency}
    changed = True
    while changed:
        changed = False
        for code, parent in below.items():
            if code not in found and parent in found:
                found.add(code)
                changed = True
    return frozenset(found)


def admit(session: Session, me: str, sender: str, kind: BundleKind, payload: object) -> Strict:
    """The typed payload, once every rule holds; otherwise :class:`BundleRefused`."""
    try:
        typed = PAYLOADS[kind.value].model_validate(payload)
    except ValidationError as exc:
        raise BundleRefused(describe(exc, "payload"), 422, _rule_of(exc)) from None
    ctx = Context(sender, answers_for(session, me))
    if isinstance(typed, WantedListPayload):
        _wanted(session, ctx, typed)
    elif isinstance(typed, TransferRequestPayload):
        _request(session, ctx, typed)
    elif isinstance(typed, TransferStatusPayload):
        _status(session, ctx, typed)
    elif isinstance(typed, HandoverManifestPayload):
        _manifest(session, ctx, typed)
    return typed


def _refuse(rule: str, reason: str, code: int = 403) -> BundleRefused:
    return BundleRefused(reason, code, rule)


def _agencies_exist(session: Session, codes: set[str]) -> None:
    store = SqlUnitOfWork(session).transfers
    unknown = sorted(c for c in codes if not store.agency_exists(c))
    if unknown:
        raise _refuse("agency-exists", f"unknown agency {', '.join(unknown)}", 422)


def _wanted(session: Session, ctx: Context, p: WantedListPayload) -> None:
    foreign = sorted({w.agency for w in p.warrants} - {ctx.sender})
    if foreign:
        raise _refuse(
            "own-name", f"{ctx.sender} may send only its own warrants, not {', '.join(foreign)}'s"
        )
    _agencies_exist(session, {ctx.sender})
    ids = [w.warrant_id for w in p.warrants]
    if len(set(ids)) != len(ids):
        raise _refuse("consistent", "a warrant id appears twice", 422)


def _request(session: Session, ctx: Context, p: TransferRequestPayload) -> None:
    if p.requesting_agency != ctx.sender:
        raise _refuse("own-name", f"{ctx.sender} may send only its own requests")
    if p.partner_agency not in ctx.here:
        raise _refuse(
            "addressed-here",
            f"the request is addressed to {p.partner_agency}, not to this instance's agencies",
        )
    _agencies_exist(session, {p.requesting_agency, p.partner_agency})
    if _request_row(session, p.reference) is not None:
        raise _refuse("duplicate", f"transfer request {p.reference} already exists", 409)


def _request_row(session: Session, reference: str) -> TransferRequest | None:
    return SqlUnitOfWork(session).transfers.get(reference)


def _party_side(ctx: Context, row: TransferRequest) -> str:
    """Which side of the request the sender is on, if it is a party at all."""
    if row.partner_agency == ctx.sender and row.requesting_agency in ctx.here:
        return "requested"
    if row.requesting_agency == ctx.sender and row.partner_agency in ctx.here:
        return "requesting"
    raise _refuse(
        "request-party",
        f"{ctx.sender} is not a party to request {row.reference} with this instance "
        f"({row.requesting_agency} → {row.partner_agency})",
    )


def _status(session: Session, ctx: Context, p: TransferStatusPayload) -> None:
    row = _request_row(session, p.reference)
    if row is None:
        raise _refuse("request-party", f"no transfer request {p.reference} here", 404)
    side = _party_side(ctx, row)
    if p.new_status not in SIDE_MAY[side]:
        raise _refuse(
            "request-direction",
            f"the {side} side ({ctx.sender}) may not mark request {p.reference} {p.status}",
        )
    try:
        TransferStatus(row.status).transition_to(p.new_status)
    except IllegalRequestChange as exc:
        raise _refuse("request-direction", str(exc), 409) from None


def _manifest(session: Session, ctx: Context, p: HandoverManifestPayload) -> None:
    b = p.batch
    if b.from_agency != ctx.sender:
        raise _refuse("own-name", f"{ctx.sender} may send only manifests of its own handovers")
    if b.to_agency not in ctx.here:
        raise _refuse(
            "addressed-here",
            f"the batch is handed to {b.to_agency}, not to this instance's agencies",
        )
    _agencies_exist(session, {b.from_agency, b.to_agency})
    seqs = [x.seq for x in p.lines]
    if len(set(seqs)) != len(seqs):
        raise _refuse("consistent", "a seq appears twice in the batch", 422)
    if SqlUnitOfWork(session).handovers.header(b.batch_id) is not None:
        raise _refuse("duplicate", f"batch {b.batch_id} is already recorded", 409)
    if b.request_ref is None:
        return
    row = _request_row(session, b.request_ref)
    if row is None:
        raise _refuse("request-party", f"no transfer request {b.request_ref} here", 404)
    if _party_side(ctx, row) != "requested" or row.requesting_agency != b.to_agency:
        raise _refuse(
            "request-party",
            f"batch {b.batch_id} cannot execute {b.request_ref}: "
            f"that request is {row.requesting_agency}'s to {row.partner_agency}",
        )
    if row.status != TransferStatus.EXECUTED.value:
        try:
            TransferStatus(row.status).transition_to(TransferStatus.EXECUTED)
        except IllegalRequestChange as exc:
            raise _refuse("request-direction", str(exc), 409) from None

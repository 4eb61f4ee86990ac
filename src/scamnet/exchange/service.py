"""Sending and receiving bundles: what each kind carries and how a received one is applied.

Receiving runs in one transaction: the envelope, the signature, the replay check
and every payload row are checked before the ledger entry is written, and any
refusal rolls the whole bundle back, so a bad bundle leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.cases import transfers
from scamnet.cases.handovers import import_batch
from scamnet.core.access import Actor
from scamnet.core.cases import RequestedPerson, TransferRequest, TransferStatus
from scamnet.core.errors import DomainError
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.exchange.bundle import (
    BundleKind,
    BundleRefused,
    check_shape,
    payload_digest,
    seal,
    verify,
)
from scamnet.exchange.keys import Instance, decode_public
from scamnet.store.exchange import BundleLedger, PartnerKeys
from scamnet.store.models import WarrantRow
from scamnet.store.records import insert_ignoring_duplicates
from scamnet.store.uow import SqlUnitOfWork


def send(
    session: Session, me: Instance, kind: BundleKind, recipient: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Seal a bundle and enter it in our ledger. The local effect is the caller's."""
    if PartnerKeys(session).get(recipient) is None:
        raise BundleRefused(f"{recipient} is not a registered partner; register its key first")
    bundle = seal(me, kind, recipient, payload)
    BundleLedger(session).record(bundle, "sent", payload_digest(payload), kind.value)
    return bundle


def receive(session: Session, me: Instance, bundle: dict[str, Any]) -> str:
    """Verify, deduplicate and apply a bundle; returns a summary of what was applied."""
    kind = check_shape(bundle, me.agency)
    registered = PartnerKeys(session).get(str(bundle["sender"]))
    if registered is None:
        raise BundleRefused(f"{bundle['sender']!r} is not a registered partner", 403)
    verify(bundle, decode_public(registered))
    ledger = BundleLedger(session)
    when = ledger.seen(str(bundle["id"]))
    if when is not None:
        raise BundleRefused(
            f"replay: bundle {bundle['id']} was already applied on {when:%Y-%m-%d %H:%M} UTC", 409
        )
    actor = Actor(f"exchange:{bundle['sender']}", str(bundle["sender"]))
    try:
        summary = APPLY[kind](session, bundle["payload"], actor)
    except (DomainError, LookupError, KeyError, TypeError, ValueError) as exc:
        raise BundleRefused(f"payload not applied: {exc}") from None
    ledger.record(bundle, "received", payload_digest(bundle["payload"]), summary)
    return summary


def send_request(session: Session, me: Instance, reference: str) -> dict[str, Any]:
    request = transfers.get(SqlUnitOfWork(session), reference)
    if request.requesting_agency != me.agency:
        raise BundleRefused(f"{reference} is {request.requesting_agency}'s request, not ours")
    return send(
        session, me, BundleKind.TRANSFER_REQUEST, request.partner_agency, request_payload(request)
    )


def send_status(
    session: Session, me: Instance, reference: str, status: TransferStatus, note: str, actor: Actor
) -> dict[str, Any]:
    """Change a request here (acknowledge, refuse, execute) and tell the other side."""
    uow = SqlUnitOfWork(session)
    request = transfers.get(uow, reference)
    transfers.change(uow, actor, reference, status, note)
    other = (
        request.requesting_agency if request.partner_agency == me.agency else request.partner_agency
    )
    payload = {"reference": reference, "status": status.value, "note": note}
    return send(session, me, BundleKind.TRANSFER_STATUS, other, payload)


def send_manifest(
    session: Session, me: Instance, header: BatchHeader, lines: list[ManifestLine], actor: Actor
) -> dict[str, Any]:
    """Record a handover we give, close its request, and send the manifest to the receiver."""
    if header.from_agency != me.agency:
        raise BundleRefused(
            f"this instance is {me.agency}; it cannot send {header.from_agency}'s manifest"
        )
    # Recorded as an exchanged batch on both sides: that is what the ledgers compare.
    import_batch(SqlUnitOfWork(session), actor, replace(header, source="exchange"), lines)
    return send(
        session, me, BundleKind.HANDOVER_MANIFEST, header.to_agency, manifest_payload(header, lines)
    )


def send_wanted(
    session: Session, me: Instance, recipient: str, warrant_ids: list[str] | None = None
) -> dict[str, Any]:
    return send(
        session, me, BundleKind.WANTED_LIST, recipient, wanted_payload(session, warrant_ids)
    )


# --- payloads -----------------------------------------------------------------


def wanted_payload(session: Session, warrant_ids: list[str] | None = None) -> dict[str, Any]:
    query = select(WarrantRow).order_by(WarrantRow.warrant_id)
    if warrant_ids:
        query = query.where(WarrantRow.warrant_id.in_(warrant_ids))
    cols = (
        "warrant_id",
        "issued_at",
        "agency",
        "name",
        "pinyin",
        "birth_date",
        "id_number",
        "offence",
    )
    return {"warrants": [{c: _iso(getattr(w, c)) for c in cols} for w in session.scalars(query)]}


def request_payload(request: TransferRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "requesting_agency": request.requesting_agency,
        "partner_agency": request.partner_agency,
        "legal_basis": request.legal_basis,
        "created_at": request.created_at.isoformat(),
        "persons": [
            {"name": p.name, "birth_date": _iso(p.birth_date), "document": p.document}
            for p in request.persons
        ],
    }


def manifest_payload(header: BatchHeader, lines: list[ManifestLine]) -> dict[str, Any]:
    return {
        "batch": {
            "batch_id": header.batch_id,
            "date": header.date.isoformat(),
            "crossing": header.crossing,
            "from_agency": header.from_agency,
            "to_agency": header.to_agency,
            "request_ref": header.request_ref,
        },
        "lines": [
            {
                "seq": x.seq,
                "name": x.name,
                "birth_date": _iso(x.birth_date),
                "document": x.document,
                "nationality": x.nationality,
                "role": x.role,
            }
            for x in lines
        ],
    }


def _iso(value: object) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


# --- applying -----------------------------------------------------------------


def _apply_wanted(session: Session, payload: dict[str, Any], actor: Actor) -> str:
    rows = []
    for w in payload["warrants"]:
        if not w.get("warrant_id") or not w.get("name"):
            raise ValueError("a warrant needs an id and a name")
        rows.append(
            {**w, "issued_at": _date(w["issued_at"]), "birth_date": _date(w.get("birth_date"))}
        )
    added = insert_ignoring_duplicates(session, WarrantRow.__table__, rows)
    return f"{added} new warrants of {len(rows)} ({len(rows) - added} already known)"


def _apply_request(session: Session, payload: dict[str, Any], actor: Actor) -> str:
    if payload["requesting_agency"] != actor.agency:
        raise ValueError("a partner can only send requests in its own name")
    uow = SqlUnitOfWork(session)
    asked = [
        RequestedPerson(p["name"], _date(p.get("birth_date")), p.get("document"))
        for p in payload["persons"]
    ]
    persons = transfers.match_persons(uow, asked)
    request = TransferRequest(
        payload["reference"],
        payload["requesting_agency"],
        payload["partner_agency"],
        payload["legal_basis"],
        TransferStatus.SENT.value,
        datetime.fromisoformat(payload["created_at"]),
        tuple(persons),
    )
    transfers.record(uow, actor, request)
    matched = sum(p.person_id is not None for p in persons)
    return f"request {request.reference}: {len(persons)} persons, {matched} known here"


def _apply_status(session: Session, payload: dict[str, Any], actor: Actor) -> str:
    status = transfers.change(
        SqlUnitOfWork(session),
        actor,
        payload["reference"],
        TransferStatus(payload["status"]),
        str(payload.get("note", "")),
    )
    return f"request {payload['reference']} is now {status}"


def _apply_manifest(session: Session, payload: dict[str, Any], actor: Actor) -> str:
    b = payload["batch"]
    if b["from_agency"] != actor.agency:
        raise ValueError("a partner can only send manifests of its own handovers")
    header = BatchHeader(
        b["batch_id"],
        date.fromisoformat(b["date"]),
        b["crossing"],
        b["from_agency"],
        b["to_agency"],
        b.get("request_ref"),
        "exchange",
    )
    lines = [
        ManifestLine(
            int(x["seq"]),
            x["name"],
            _date(x.get("birth_date")),
            x.get("document"),
            x.get("nationality"),
            x.get("role"),
        )
        for x in payload["lines"]
    ]
    result = import_batch(SqlUnitOfWork(session), actor, header, lines)
    return (
        f"batch {header.batch_id}: {result.entries} persons, {result.matched_persons} known, "
        f"{result.new_persons} new, {result.fugitives} fugitives"
    )


APPLY = {
    BundleKind.WANTED_LIST: _apply_wanted,
    BundleKind.TRANSFER_REQUEST: _apply_request,
    BundleKind.TRANSFER_STATUS: _apply_status,
    BundleKind.HANDOVER_MANIFEST: _apply_manifest,
}

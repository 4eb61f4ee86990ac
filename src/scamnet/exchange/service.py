"""Sending and receiving bundles: what each kind carries and how a received one is applied.

Receiving runs in one transaction, in this order: the envelope's shape, the
sender's registered key and signature, the replay check, the partner's rights
(:func:`scamnet.exchange.rights.admit`), and only then the payload, through one
``apply_*`` function per kind. Any refusal rolls the whole bundle back, so a bad
bundle leaves nothing behind.

Sending writes the local change, the ledger entry, the audit entry and the
outbox row in the caller's transaction: either all of them are committed or
none, and the outbox keeps the bundle until the partner acknowledges it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scamnet.cases import transfers
from scamnet.cases.handovers import import_batch
from scamnet.cases.manifest import parse_row
from scamnet.core.access import Actor
from scamnet.core.cases import RequestedPerson, TransferRequest, TransferStatus
from scamnet.core.entities import PersonName
from scamnet.core.errors import DomainError
from scamnet.core.handling import DEFAULT_HANDLING, HandlingCode, strictest
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
from scamnet.exchange.rights import admit, answers_for
from scamnet.exchange.schema import (
    HandoverManifestPayload,
    Strict,
    TransferRequestPayload,
    TransferStatusPayload,
    WantedListPayload,
)
from scamnet.store.audit import AuditLog
from scamnet.store.exchange import BundleLedger, PartnerKeys, lock_receipts
from scamnet.store.models import WarrantRow
from scamnet.store.outbox import Outbox
from scamnet.store.persons import PersonRepository
from scamnet.store.records import insert_ignoring_duplicates
from scamnet.store.uow import SqlUnitOfWork


def send(
    session: Session,
    me: Instance,
    kind: BundleKind,
    recipient: str,
    payload: dict[str, Any],
    actor: Actor | None = None,
    url: str | None = None,
    handling: HandlingCode = DEFAULT_HANDLING,
) -> dict[str, Any]:
    """Seal a bundle, enter it in our ledger and outbox, and audit the export.

    The local effect is the caller's, in the same transaction. ``handling`` is the
    code the partner must apply to everything in it; H3 is refused.
    """
    if PartnerKeys(session).get(recipient) is None:
        raise BundleRefused(
            f"{recipient} is not a registered partner; register its key first", 400, "partner"
        )
    bundle = seal(me, kind, recipient, payload, handling)
    digest = payload_digest(payload)
    BundleLedger(session).record(bundle, "sent", digest, kind.value)
    Outbox(session).enqueue(bundle, url)
    who = actor.user if actor else f"instance:{me.agency}"
    AuditLog(session).append(
        who, "exchange.send", str(bundle["id"]),
        {"kind": kind.value, "recipient": recipient, "payload_sha256": digest,
         "handling": handling.value},
    )  # fmt: skip
    return bundle


def receive(session: Session, me: Instance, bundle: dict[str, Any]) -> str:
    """Verify, deduplicate, check rights and apply a bundle; returns what was applied."""
    kind = check_shape(bundle, me.agency)
    sender = str(bundle["sender"])
    registered = PartnerKeys(session).get(sender)
    if registered is None:
        raise BundleRefused(f"{sender!r} is not a registered partner", 403, "registered-partner")
    verify(bundle, decode_public(registered))
    # Concurrent copies of one bundle are taken one at a time, so exactly one applies.
    lock_receipts(session)
    ledger = BundleLedger(session)
    when = ledger.seen(str(bundle["id"]))
    if when is not None:
        raise BundleRefused(
            f"replay: bundle {bundle['id']} was already applied on {when:%Y-%m-%d %H:%M} UTC",
            409,
            "replay",
        )
    typed = admit(session, me.agency, sender, kind, bundle["payload"])
    actor = Actor(f"exchange:{sender}", sender)
    code = HandlingCode(str(bundle.get("handling", DEFAULT_HANDLING.value)))
    try:
        summary = _apply(kind, session, typed, actor)
        _keep_code(session, typed, code)
        digest = payload_digest(bundle["payload"])
        ledger.record(bundle, "received", digest, summary)
    except IntegrityError:
        raise BundleRefused(
            "conflicts with a row recorded meanwhile; send it again", 409, "duplicate"
        ) from None
    except (DomainError, LookupError, ValueError) as exc:
        raise BundleRefused(f"payload not applied: {exc}", 422, "field-values") from None
    AuditLog(session).append(
        actor.user, "exchange.receive", str(bundle["id"]),
        {"kind": kind.value, "sender": sender, "payload_sha256": digest, "summary": summary,
         "handling": str(bundle.get("handling", DEFAULT_HANDLING.value))},
    )  # fmt: skip
    return summary


def send_request(
    session: Session,
    me: Instance,
    reference: str,
    actor: Actor | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    request = transfers.get(SqlUnitOfWork(session), reference)
    if request.requesting_agency != me.agency:
        raise BundleRefused(
            f"{reference} is {request.requesting_agency}'s request, not ours", 400, "own-name"
        )
    # The bundle carries the strictest code of the persons it names (at least the
    # default): a person received under H2 leaves under H2, and an H3 one not at all.
    persons = PersonRepository(session)
    named = [p.person_id for p in request.persons if p.person_id is not None]
    code = strictest([DEFAULT_HANDLING, *(persons.handling(pid) for pid in named)])
    return send(
        session, me, BundleKind.TRANSFER_REQUEST, request.partner_agency,
        request_payload(request), actor, url, code,
    )  # fmt: skip


def send_status(
    session: Session,
    me: Instance,
    reference: str,
    status: TransferStatus,
    note: str,
    actor: Actor,
    url: str | None = None,
) -> dict[str, Any]:
    """Answer a request made to us (acknowledge, refuse, execute) and tell the requester.

    The change here and the bundle are one transaction: if the delivery fails, the
    bundle waits in the outbox and ``exchange resend`` delivers the same bundle.
    """
    uow = SqlUnitOfWork(session)
    request = transfers.get(uow, reference)
    if request.partner_agency not in answers_for(session, me.agency):
        raise BundleRefused(
            f"{reference} is our own request to {request.partner_agency}: only they answer it",
            400,
            "request-direction",
        )
    transfers.change(uow, actor, reference, status, note)
    payload = {"reference": reference, "status": status.value, "note": note}
    return send(
        session, me, BundleKind.TRANSFER_STATUS, request.requesting_agency, payload, actor, url
    )


def send_manifest(
    session: Session,
    me: Instance,
    header: BatchHeader,
    lines: list[ManifestLine],
    actor: Actor,
    url: str | None = None,
) -> dict[str, Any]:
    """Record a handover we give, close its request, and send the manifest to the receiver."""
    if header.from_agency != me.agency:
        raise BundleRefused(
            f"this instance is {me.agency}; it cannot send {header.from_agency}'s manifest",
            400,
            "own-name",
        )
    # Recorded as an exchanged batch on both sides: that is what the ledgers compare.
    # import_batch also executes the request the batch answers.
    import_batch(SqlUnitOfWork(session), actor, replace(header, source="exchange"), lines)
    return send(
        session, me, BundleKind.HANDOVER_MANIFEST, header.to_agency,
        manifest_payload(header, lines), actor, url,
    )  # fmt: skip


def send_wanted(
    session: Session,
    me: Instance,
    recipient: str,
    warrant_ids: list[str] | None = None,
    actor: Actor | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """Send our own warrants (all, or those named) to a partner.

    The bundle carries the strictest code of the warrants in it (at least the default),
    and the receiver stores them under it. An H3 warrant never leaves this agency: it
    is left out of the whole list, and naming one is refused.
    """
    payload, code = wanted_payload(session, me.agency, warrant_ids)
    return send(session, me, BundleKind.WANTED_LIST, recipient, payload, actor, url, code)


# --- payloads -----------------------------------------------------------------


def wanted_payload(
    session: Session, agency: str, warrant_ids: list[str] | None = None
) -> tuple[dict[str, Any], HandlingCode]:
    """Our agency's shareable warrants and the code the bundle must carry: a partner
    accepts warrants only in the sender's own name."""
    query = select(WarrantRow).where(WarrantRow.agency == agency).order_by(WarrantRow.warrant_id)
    if warrant_ids:
        query = query.where(WarrantRow.warrant_id.in_(warrant_ids))
    rows = list(session.scalars(query))
    kept = [w for w in rows if HandlingCode(w.handling).shareable]
    if warrant_ids and len(kept) < len(rows):
        held = sorted(w.warrant_id for w in rows if w not in kept)
        raise BundleRefused(
            f"warrant {', '.join(held)} is {HandlingCode.H3.value}: it never leaves {agency}",
            400,
            "handling",
        )
    cols = ("warrant_id", "issued_at", "agency", "name", "pinyin", "birth_date", "id_number",
            "offence")  # fmt: skip
    warrants = [{c: _iso(getattr(w, c)) for c in cols if getattr(w, c) is not None}
                for w in kept]  # fmt: skip
    code = strictest([DEFAULT_HANDLING, *(HandlingCode(w.handling) for w in kept)])
    return {"warrants": warrants}, code


def request_payload(request: TransferRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "requesting_agency": request.requesting_agency,
        "partner_agency": request.partner_agency,
        "legal_basis": request.legal_basis,
        "created_at": request.created_at.isoformat(),
        "persons": [
            _present({"name": p.name, "birth_date": _iso(p.birth_date), "document": p.document})
            for p in request.persons
        ],
    }


def manifest_payload(header: BatchHeader, lines: list[ManifestLine]) -> dict[str, Any]:
    return {
        "batch": _present(
            {
                "batch_id": header.batch_id,
                "date": header.date.isoformat(),
                "crossing": header.crossing,
                "from_agency": header.from_agency,
                "to_agency": header.to_agency,
                "request_ref": header.request_ref,
            }
        ),
        "lines": [
            _present(
                {
                    "seq": x.seq,
                    "name": x.name,
                    "birth_date": _iso(x.birth_date),
                    "document": x.document,
                    "nationality": x.nationality,
                    "role": x.role,
                }
            )
            for x in lines
        ],
    }


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """Absent values are left out, not sent as null."""
    return {k: v for k, v in fields.items() if v is not None}


def _iso(value: object) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- applying: one function per payload kind, each given an admitted payload ------------


def apply_wanted_list(session: Session, payload: WantedListPayload, actor: Actor) -> str:
    """Add the sender's warrants this instance does not hold yet."""
    rows = [
        {
            **w.model_dump(),
            "name": PersonName.of(w.name).text,  # the same check as a locally entered name
        }
        for w in payload.warrants
    ]
    added = insert_ignoring_duplicates(session, WarrantRow.__table__, rows)
    return f"{added} new warrants of {len(rows)} ({len(rows) - added} already known)"


def apply_transfer_request(session: Session, payload: TransferRequestPayload, actor: Actor) -> str:
    """Record a request made to us, matching each person named to the persons known here."""
    uow = SqlUnitOfWork(session)
    asked = [
        RequestedPerson(PersonName.of(p.name).text, p.birth_date, p.document)  # local checks
        for p in payload.persons
    ]
    persons = transfers.match_persons(uow, asked)
    request = TransferRequest(
        payload.reference,
        payload.requesting_agency,
        payload.partner_agency,
        payload.legal_basis,
        TransferStatus.SENT.value,
        payload.created_at,
        tuple(persons),
    )
    transfers.record(uow, actor, request)
    matched = sum(p.person_id is not None for p in persons)
    return f"request {request.reference}: {len(persons)} persons, {matched} known here"


def apply_transfer_status(session: Session, payload: TransferStatusPayload, actor: Actor) -> str:
    """Move a request both sides hold, as its requested side has."""
    status = transfers.change(
        SqlUnitOfWork(session), actor, payload.reference, payload.new_status, payload.note
    )
    return f"request {payload.reference} is now {status}"


def apply_handover_manifest(
    session: Session, payload: HandoverManifestPayload, actor: Actor
) -> str:
    """Record a batch handed to us, line by line through the manifest file's own checks."""
    b = payload.batch
    header: BatchHeader | None = None
    lines = []
    for x in payload.lines:
        row: dict[str, str | None] = {
            "batch_id": b.batch_id, "date": b.date.isoformat(), "crossing": b.crossing,
            "from_agency": b.from_agency, "to_agency": b.to_agency, "seq": str(x.seq),
            "name": x.name, "birth_date": x.birth_date.isoformat() if x.birth_date else "",
            "document": x.document or "", "nationality": x.nationality or "",
            "role": x.role or "",
        }  # fmt: skip
        header, line = parse_row(row, b.request_ref)
        lines.append(line)
    assert header is not None  # the schema requires at least one line
    header = replace(header, source="exchange")
    # import_batch also executes the request the batch answers.
    result = import_batch(SqlUnitOfWork(session), actor, header, lines)
    return (
        f"batch {header.batch_id}: {result.entries} persons, {result.matched_persons} known, "
        f"{result.new_persons} new, {result.fugitives} fugitives"
    )


def _keep_code(session: Session, payload: Strict, code: HandlingCode) -> None:
    """The persons a bundle names carry at least its handling code from now on.

    The code is the sender's restriction on what it sent (an H2 manifest may not be passed
    on beyond this agency): a new person made from it, or a known one it names, is
    stored with that code, so this instance's exports and bundles apply it record by
    record. A lower code never lowers a person's own.
    """
    named: set[int] = set()
    uow = SqlUnitOfWork(session)
    if isinstance(payload, WantedListPayload):
        # The sender's warrants, new or known, are held here under at least its code.
        ids = [w.warrant_id for w in payload.warrants]
        for start in range(0, len(ids), 500):  # within any backend's limit on parameters
            session.execute(
                update(WarrantRow)
                .where(WarrantRow.warrant_id.in_(ids[start : start + 500]),
                       WarrantRow.handling < code.value)
                .values(handling=code.value)
            )  # fmt: skip
    if isinstance(payload, HandoverManifestPayload):
        named = {e.person_id for e in uow.handovers.entries(payload.batch.batch_id)
                 if e.person_id is not None}  # fmt: skip
    elif isinstance(payload, TransferRequestPayload):
        request = transfers.get(uow, payload.reference)
        named = {p.person_id for p in request.persons if p.person_id is not None}
    PersonRepository(session).raise_handling(named, code)


def _apply(kind: BundleKind, session: Session, payload: Strict, actor: Actor) -> str:
    if isinstance(payload, WantedListPayload):
        return apply_wanted_list(session, payload, actor)
    if isinstance(payload, TransferRequestPayload):
        return apply_transfer_request(session, payload, actor)
    if isinstance(payload, TransferStatusPayload):
        return apply_transfer_status(session, payload, actor)
    if isinstance(payload, HandoverManifestPayload):
        return apply_handover_manifest(session, payload, actor)
    raise TypeError(f"no apply function for {kind}")

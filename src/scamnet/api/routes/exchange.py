"""The exchange's administration: partners' keys, sending bundles, the outbox.

What ``scamnet exchange register|send-*|outbox|resend`` do, through the same use
cases (`scamnet.exchange.partners`, `scamnet.exchange.sending`). A send records the
change and queues the signed bundle at once (a refusal leaves nothing behind); the
delivery over the network, which retries while a partner is unreachable, runs as a
job (``exchange-deliver``), and ``/outbox/resend`` queues an ``exchange-resend`` job.
The partners' own endpoint, authenticated by signatures, is `scamnet.api.exchange`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep, SettingsDep, StoreDep
from scamnet.api.paging import Limit, Offset, as_json
from scamnet.api.routes.cases import MAX_MANIFEST_BYTES, read_limited
from scamnet.core.access import Actor, Permission
from scamnet.core.cases import TransferStatus
from scamnet.exchange import partners, sending
from scamnet.exchange.keys import Instance, NoIdentity, load_instance
from scamnet.jobs import service as jobs
from scamnet.jobs.exchange import Attempts, ResendParams, Url
from scamnet.store import Store
from scamnet.store.uow import SqlUnitOfWork

router = APIRouter(prefix="/v1/exchange", tags=["exchange"])
P = Permission
KeyAdmin = Annotated[Actor, Depends(require(P.EXCHANGE_ADMIN))]
Sender = Annotated[Actor, Depends(require(P.TRANSFERS_WRITE))]
HandoverSender = Annotated[Actor, Depends(require(P.HANDOVERS_WRITE))]
OutboxReader = Annotated[Actor, Depends(require(P.TRANSFERS_READ))]
BundleExporter = Annotated[Actor, Depends(require(P.TRANSFERS_READ, personal=True))]
Agency = Annotated[str, Field(min_length=1, max_length=64)]
Ref = Annotated[str, Field(min_length=1, max_length=64)]
BundleId = Annotated[str, PathParam(min_length=1, max_length=64)]


def instance(settings: SettingsDep) -> Instance:
    """This instance's exchange identity; without one, nothing can be sent (503)."""
    try:
        return load_instance(settings.data_dir)
    except NoIdentity as exc:
        raise HTTPException(503, str(exc)) from None


Me = Annotated[Instance, Depends(instance)]


class NewPartner(BaseModel):
    agency: Agency
    public_key: Annotated[str, Field(min_length=1, max_length=100,
                                     description="Its Ed25519 public key (base64).")]  # fmt: skip


class Carry(BaseModel):
    """Where the bundle goes: with ``url``, a delivery job carries it there (``attempts``
    tries, with backoff); without, it waits in the outbox (resend, or fetch it to carry
    by hand)."""

    model_config = ConfigDict(extra="forbid")
    url: Url | None = None
    attempts: Attempts = 4


class SendRequest(Carry):
    reference: Ref


class SendStatus(Carry):
    reference: Ref
    status: TransferStatus
    note: Annotated[str, Field(max_length=2000)] = ""


class SendWanted(Carry):
    partner: Agency
    warrants: Annotated[list[Ref] | None, Field(max_length=1000)] = None


@router.get("/partners")
def list_partners(actor: KeyAdmin, session: SessionDep) -> Any:
    """The partners whose signed bundles this instance accepts, as the admin page."""
    return as_json(partners.list_partners(session, actor))


@router.post("/partners", status_code=201)
def register_partner(body: NewPartner, actor: KeyAdmin, session: SessionDep) -> Any:
    """Register (or rotate) a partner's key, exchanged out of band and checked by phone,
    as `scamnet exchange register` (audited)."""
    return as_json(partners.register_partner(session, actor, body.agency, body.public_key))


def _sent(store: Store, request: Request, actor: Actor, send: Any,
          attempts: int = 4) -> JSONResponse:  # fmt: skip
    """Run ``send(uow)`` and, if the bundle has an address, queue its delivery in the
    same transaction: committed together before the worker is woken."""
    with store.session() as session:
        sent: sending.Sent = send(SqlUnitOfWork(session))
        job = None
        if sent.url is not None:
            job = jobs.submit(session, actor, "exchange-deliver",
                              {"bundles": [sent.bundle_id], "attempts": attempts})  # fmt: skip
    headers = {}
    if job is not None:
        worker = getattr(request.app.state, "jobs", None)
        if worker is not None:
            worker.notify()
        headers["Location"] = f"/v1/jobs/{job.id}"
    return JSONResponse({"bundle": as_json(sent), "delivery": as_json(job)}, 201,
                        headers=headers)  # fmt: skip


@router.post("/send-request", status_code=201)
def send_request(body: SendRequest, request: Request, actor: Sender, me: Me,
                 store: StoreDep) -> Any:  # fmt: skip
    """Send our transfer request to its partner, as `scamnet exchange send-request`. The
    bundle is queued in the outbox; with ``url`` a delivery job carries it there (its
    ``Location``)."""
    return _sent(store, request, actor, lambda uow: sending.send_request(
        uow, actor, me, body.reference, body.url), body.attempts)  # fmt: skip


@router.post("/send-status", status_code=201)
def send_status(body: SendStatus, request: Request, actor: Sender, me: Me,
                store: StoreDep) -> Any:  # fmt: skip
    """Answer a request made to us and tell the requester (one transaction), as
    `scamnet exchange send-status`."""

    def send(uow: SqlUnitOfWork) -> sending.Sent:
        return sending.send_status(uow, actor, me, body.reference, body.status, body.note,
                                   body.url)  # fmt: skip

    return _sent(store, request, actor, send, body.attempts)


@router.post(
    "/send-manifest",
    status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {
        "type": "string"}}}}},
)  # fmt: skip
async def send_manifest(
    request: Request, actor: HandoverSender, me: Me, store: StoreDep,
    request_ref: Annotated[str | None, Query(alias="request", min_length=1, max_length=64,
                                             description="The request it executes.")] = None,
    url: Annotated[str | None, Query(max_length=500, pattern=r"^https?://")] = None,
    attempts: Annotated[int, Query(ge=1, le=sending.MAX_ATTEMPTS)] = 4,
) -> Any:  # fmt: skip
    """Record a handover we give and send its manifest (the body: CSV, UTF-8, one batch),
    as `scamnet exchange send-manifest`; a bad manifest is refused whole, every bad line
    listed."""
    from scamnet.cases.manifest import parse_manifest

    raw = await read_limited(request, MAX_MANIFEST_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "the manifest is not UTF-8 text") from None
    parsed = parse_manifest(text, "manifest", request_ref)
    return await run_in_threadpool(
        _sent, store, request, actor,
        lambda uow: sending.send_manifest(uow, actor, me, parsed, url), attempts,
    )  # fmt: skip


@router.post("/send-wanted", status_code=201)
def send_wanted(body: SendWanted, request: Request, actor: Sender, me: Me,
                store: StoreDep) -> Any:  # fmt: skip
    """Send our agency's wanted list (or the warrants named) to a partner, as `scamnet
    exchange send-wanted`; H3 warrants never leave this agency."""
    return _sent(store, request, actor, lambda uow: sending.send_wanted(
        uow, actor, me, body.partner, body.warrants, body.url), body.attempts)  # fmt: skip


@router.get("/outbox")
def outbox(
    actor: OutboxReader, me: Me, session: SessionDep,
    every: Annotated[bool, Query(alias="all", description="Delivered and refused ones too.")]
    = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """Bundles waiting for a partner's acknowledgement, oldest first, as `scamnet exchange
    outbox --json` (with ``all``: every bundle sent), one page of them; ``pending``
    counts every pending one."""
    rows = sending.outbox(SqlUnitOfWork(session), actor, me, every)
    return {"total": len(rows), "limit": limit, "offset": offset,
            "pending": sum(r.state == "pending" for r in rows),
            "bundles": as_json(rows[offset : offset + limit])}  # fmt: skip


@router.get("/outbox/{bundle_id}")
def queued_bundle(bundle_id: BundleId, actor: BundleExporter, me: Me,
                  session: SessionDep) -> Any:  # fmt: skip
    """One sent bundle exactly as signed, to carry by hand over an air-gapped link (the
    API's `scamnet exchange send-* --out`): an audited export; say why."""
    return sending.queued_bundle(SqlUnitOfWork(session), actor, me, bundle_id)


@router.post("/outbox/resend", status_code=202)
def resend(request: Request, actor: Sender, me: Me, store: StoreDep,
           body: ResendParams | None = None) -> Any:  # fmt: skip
    """Deliver the pending bundles again, oldest first, as `scamnet exchange resend`: a
    job (``Location``); it fails, saying why, if a bundle still waits."""
    params = body or ResendParams()
    sending.check_delivery(store, actor, me, P.TRANSFERS_WRITE, params.bundles)
    with store.session() as session:
        job = jobs.submit(session, actor, "exchange-resend", params.model_dump(mode="json"))
    worker = getattr(request.app.state, "jobs", None)
    if worker is not None:
        worker.notify()
    return JSONResponse(as_json(job), 202, headers={"Location": f"/v1/jobs/{job.id}"})

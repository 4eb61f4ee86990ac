"""The exchange endpoint: partners post signed bundles; anyone may read our public key.

Signatures, not sessions, authenticate a partner here: a bundle is applied only
if the registered key of its sender verifies it, and only within the rights the
sender has (docs/exchange.md). The body is read with a size limit and a time
limit before it is parsed, and parsed with limits on depth, string length and
numbers; the database work runs in the threadpool, so a slow or locked store
never stalls the event loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from scamnet.api.auth import signed
from scamnet.api.deps import StoreDep
from scamnet.exchange.bundle import MAX_BUNDLE_BYTES, BundleRefused, parse
from scamnet.exchange.keys import Instance, NoIdentity, load_instance
from scamnet.exchange.service import receive
from scamnet.store import Store
from scamnet.store.exchange import ledger_digest

router = APIRouter(prefix="/api/exchange", tags=["exchange"], dependencies=[Depends(signed())])


class Identity(BaseModel):
    agency: str
    public_key: str


class Applied(BaseModel):
    bundle_id: str
    summary: str


class Refusal(BaseModel):
    """Why a bundle was not applied: ``rule`` is a rule name from docs/exchange.md."""

    detail: str
    rule: str


class Ledger(BaseModel):
    agency: str
    digest: str


def _instance(request: Request) -> Instance:
    data_dir: Path | None = request.app.state.data_dir
    try:
        if data_dir is None:
            raise NoIdentity("this server was started without a data directory")
        return load_instance(data_dir)
    except NoIdentity as exc:
        raise HTTPException(503, str(exc)) from None


@router.get("/identity")
def identity(request: Request) -> Identity:
    """The agency this instance serves and its Ed25519 public key (base64)."""
    me = _instance(request)
    return Identity(agency=me.agency, public_key=me.public_key)


def refusal(code: int, rule: str, detail: str, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": detail, "rule": rule}, code, headers=headers or None)


def _apply(store: Store, me: Instance, raw: bytes) -> Applied:
    bundle: dict[str, Any] = parse(raw)
    with store.session() as session:
        summary = receive(session, me, bundle)
    return Applied(bundle_id=str(bundle["id"]), summary=summary)


REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": Refusal, "description": text}
    for code, text in (
        (400, "Not JSON, or past the limits on depth, strings or numbers"),
        (401, "Unsigned, or the signature does not hold"),
        (403, "The sender has no right to this (see the rule)"),
        (404, "The request named is not known here"),
        (408, "The body was not sent in time; the connection is closed"),
        (409, "Already applied (rule replay), or a duplicate reference"),
        (413, "Larger than the bundle limit"),
        (422, "A field breaks the payload schema or a validator"),
        (503, "The store is busy; retry after the Retry-After delay"),
    )
}


@router.post(
    "/bundles",
    status_code=201,
    response_model=Applied,
    responses=REFUSALS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bundle"}}},
        }
    },
)
async def post_bundle(request: Request, store: StoreDep) -> Any:
    """Verify, deduplicate, check the sender's rights and apply a signed bundle.

    A refused bundle changes nothing; the answer names the rule that refused it.
    """
    me = _instance(request)
    declared = request.headers.get("content-length")
    too_big = f"larger than {MAX_BUNDLE_BYTES} bytes"
    if declared and declared.isdigit() and int(declared) > MAX_BUNDLE_BYTES:
        return refusal(413, "size", f"bundle refused (size): {too_big}", Connection="close")
    raw = bytearray()
    try:
        async with asyncio.timeout(request.app.state.body_timeout):
            async for chunk in request.stream():
                raw += chunk
                if len(raw) > MAX_BUNDLE_BYTES:
                    return refusal(413, "size", f"bundle refused (size): {too_big}",
                                   Connection="close")  # fmt: skip
    except TimeoutError:
        # A sender that stops mid-body would otherwise hold the connection forever.
        return refusal(
            408, "body-timeout",
            f"bundle refused (body-timeout): the body did not arrive within "
            f"{request.app.state.body_timeout:g} s", Connection="close",
        )  # fmt: skip
    try:
        return await run_in_threadpool(_apply, store, me, bytes(raw))
    except BundleRefused as exc:
        return refusal(exc.code, exc.rule, str(exc))


@router.get("/ledger")
def ledger(request: Request, store: StoreDep) -> Ledger:
    """The digest both partners compare to confirm they hold the same exchange ledger."""
    me = _instance(request)
    with store.session() as session:
        return Ledger(agency=me.agency, digest=ledger_digest(session))

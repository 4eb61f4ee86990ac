"""The exchange endpoint: partners post signed bundles; anyone may read our public key.

Signatures, not sessions, authenticate a partner here: a bundle is applied only
if the registered key of its sender verifies it. The body is read with a size
limit before it is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from scamnet.api.deps import StoreDep
from scamnet.exchange.bundle import MAX_BUNDLE_BYTES, BundleRefused, parse
from scamnet.exchange.keys import Instance, NoIdentity, load_instance
from scamnet.exchange.service import receive
from scamnet.store.exchange import ledger_digest

router = APIRouter(prefix="/api/exchange", tags=["exchange"])


class Identity(BaseModel):
    agency: str
    public_key: str


class Applied(BaseModel):
    bundle_id: str
    summary: str


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


@router.post("/bundles", status_code=201)
async def post_bundle(request: Request, store: StoreDep) -> Applied:
    """Verify, deduplicate and apply a signed bundle; refused bundles change nothing."""
    me = _instance(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BUNDLE_BYTES:
        raise HTTPException(413, f"bundle refused: larger than {MAX_BUNDLE_BYTES} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BUNDLE_BYTES:
            raise HTTPException(413, f"bundle refused: larger than {MAX_BUNDLE_BYTES} bytes")
    try:
        bundle: dict[str, Any] = parse(bytes(raw))
        with store.session() as session:
            summary = receive(session, me, bundle)
    except BundleRefused as exc:
        raise HTTPException(exc.code, str(exc)) from None
    return Applied(bundle_id=str(bundle["id"]), summary=summary)


@router.get("/ledger")
def ledger(request: Request, store: StoreDep) -> Ledger:
    """The digest both partners compare to confirm they hold the same exchange ledger."""
    me = _instance(request)
    with store.session() as session:
        return Ledger(agency=me.agency, digest=ledger_digest(session))

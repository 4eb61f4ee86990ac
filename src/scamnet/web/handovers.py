"""Handovers: the batches, a batch with its match evidence and custody timeline, custody
steps, and a manifest upload that shows each line's match before it is confirmed."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from scamnet.api.deps import SessionDep, StoreDep
from scamnet.cases import handovers
from scamnet.cases.manifest import read_manifest
from scamnet.cases.preview import preview_batches
from scamnet.core.cases import CustodyEvent
from scamnet.core.errors import InvalidRecord
from scamnet.settings import Settings
from scamnet.store.uow import SqlUnitOfWork
from scamnet.web.groups import settings_of
from scamnet.web.guard import HandoversRead, HandoversWrite
from scamnet.web.purpose import HandoversWhy
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
MAX_UPLOAD = 20 * 1024 * 1024  # a manifest of 100,000 lines fits well under this
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _uploads(settings: Settings) -> Path:
    folder = settings.tmp_dir / "web-manifests"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _upload_path(settings: Settings, upload: str) -> Path:
    if not UPLOAD_ID.match(upload):
        raise InvalidRecord("unknown upload: send the manifest again")
    path = _uploads(settings) / f"{upload}.csv"
    if not path.exists():
        raise InvalidRecord("the upload has expired: send the manifest again")
    return path


@router.get("/handovers")
def batches(request: Request, session: SessionDep, actor: HandoversRead) -> Response:
    found = handovers.list_batches(SqlUnitOfWork(session), actor)
    found = sorted(found, key=lambda b: (b[0].date, b[0].batch_id), reverse=True)
    return page(request, "handovers.html", actor, batches=found)


@router.get("/handovers/upload")
def upload_form(request: Request, actor: HandoversWrite) -> Response:
    return page(request, "upload.html", actor, previews=None, upload="")


@router.post("/handovers/upload")
async def upload(
    request: Request,
    session: SessionDep,
    store: StoreDep,
    actor: HandoversWrite,
    manifest: UploadFile,
    request_ref: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Keep the file under an opaque id and show each line's match; nothing is imported."""
    data = await manifest.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidRecord(f"a manifest holds at most {MAX_UPLOAD // 1024 // 1024} MB")
    settings = settings_of(request, store)
    upload_id = secrets.token_urlsafe(24)
    path = _uploads(settings) / f"{upload_id}.csv"
    path.write_bytes(data)
    try:
        parsed = read_manifest(path, request_ref.strip() or None)
        previews = preview_batches(SqlUnitOfWork(session), parsed.batches)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return page(request, "upload.html", actor, previews=previews, upload=upload_id,
                request_ref=request_ref.strip(), filename=manifest.filename or "")  # fmt: skip


@router.post("/handovers/confirm")
def confirm(
    request: Request,
    session: SessionDep,
    store: StoreDep,
    actor: HandoversWrite,
    upload: Annotated[str, Form(max_length=64)],
    request_ref: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Import the previewed manifest: all of it, or nothing with every bad line listed."""
    path = _upload_path(settings_of(request, store), upload)
    parsed = read_manifest(path, request_ref.strip() or None)
    results = handovers.import_batches(SqlUnitOfWork(session), actor, parsed.batches)
    path.unlink(missing_ok=True)
    return RedirectResponse(f"/handovers/{results[0].batch_id}", 303)


@router.get("/handovers/{batch_id}")
def batch(request: Request, session: SessionDep, actor: HandoversWhy, batch_id: str) -> Response:
    view = handovers.read_batch(SqlUnitOfWork(session), actor, batch_id)
    return page(request, "handover.html", actor, view=view, events=list(CustodyEvent))


@router.post("/handovers/{batch_id}/custody")
def custody(
    request: Request,
    session: SessionDep,
    actor: HandoversWrite,
    batch_id: str,
    seq: Annotated[int, Form(ge=1)],
    event: Annotated[CustodyEvent, Form()],
    detail: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    handovers.record_custody(SqlUnitOfWork(session), actor, batch_id, seq, event, detail)
    return RedirectResponse(f"/handovers/{batch_id}#line-{seq}", 303)

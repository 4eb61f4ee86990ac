"""Jobs: the long-running data work of the CLI (ingest, features, detect, network,
resolve, model training, lake check), submitted over HTTP and run by the server one at a
time (docs/jobs.md).

``POST /v1/jobs/{kind}`` answers 202 with the job and its ``Location``;
``GET /v1/jobs/{id}`` gives its state and, once done, the result or the error.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep, SettingsDep, StoreDep
from scamnet.api.paging import Limit, Offset, as_json
from scamnet.core.access import Actor, Permission
from scamnet.jobs import service
from scamnet.jobs.exports import ExportParams, LakeExportParams, ResolveExportParams
from scamnet.jobs.kinds import (
    DetectParams,
    FeaturesParams,
    LakeCheckParams,
    RecordsKind,
)
from scamnet.settings import Settings
from scamnet.store import Store

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
P = Permission
Reader = Annotated[Actor, Depends(require(P.DATA_INGEST))]
Ingester = Annotated[Actor, Depends(require(P.DATA_INGEST))]
Processor = Annotated[Actor, Depends(require(P.DATA_PROCESS))]
Grouper = Annotated[Actor, Depends(require(P.GROUPS_READ))]
Resolver = Annotated[Actor, Depends(require(P.PERSONS_JUDGE))]
HandoverWriter = Annotated[Actor, Depends(require(P.HANDOVERS_WRITE))]
Exporter = Annotated[Actor, Depends(require(P.GROUPS_EXPORT))]
Downloader = Annotated[Actor, Depends(require(P.GROUPS_EXPORT, personal=True))]
FileName = Annotated[str, PathParam(min_length=1, max_length=200)]
ModelKind = Annotated[str, Query(pattern="^(subscriber|message|url|account)$")]
JobId = Annotated[str, PathParam(min_length=1, max_length=64)]
Filename = Annotated[
    str,
    Query(min_length=1, max_length=200,
          description="The file's name; its extension says the format (.csv, .parquet, "
          ".jsonl). Only the name is kept: no directory can be named."),
]  # fmt: skip

UPLOAD_MAX_ENV = "SCAMNET_UPLOAD_MAX_BYTES"
UPLOAD_MAX_BYTES = 256 * 1024 * 1024
UPLOAD_CONTENT = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def upload_limit() -> int:
    """The largest upload taken, in bytes ($SCAMNET_UPLOAD_MAX_BYTES, default 256 MiB)."""
    try:
        return max(1, int(os.environ.get(UPLOAD_MAX_ENV, UPLOAD_MAX_BYTES)))
    except ValueError:
        return UPLOAD_MAX_BYTES


def _accepted(request: Request, job: Any) -> JSONResponse:
    worker = getattr(request.app.state, "jobs", None)
    if worker is not None:
        worker.notify()
    location = f"/v1/jobs/{job.id}"
    return JSONResponse(as_json(job), 202, headers={"Location": location})


def _submit(store: Store, actor: Actor, kind: str, params: dict[str, Any],
            job_id: str | None = None) -> Any:  # fmt: skip
    with store.session() as session:
        return service.submit(session, actor, kind, params, job_id)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the upload is larger than {limit:,} bytes "
                         f"(the server's {UPLOAD_MAX_ENV})")  # fmt: skip


async def _upload(request: Request, settings: Settings, store: Store, actor: Actor,
                  kind: str, params: dict[str, Any], filename: str) -> JSONResponse:  # fmt: skip
    """Spool the body under the data directory's scratch space, then queue the job."""
    service.validated(service.kind_of(kind), {**params, "filename": filename})  # 422 first
    limit = upload_limit()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)  # refused before a byte is written
    job_id = service.new_job_id()
    path = service.spool_path(settings, job_id, filename)  # BadJob (422) for a bad name
    params = {**params, "filename": path.name}  # the plain name, never a client's path
    size = 0
    try:
        with path.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                await run_in_threadpool(out.write, chunk)
        if size == 0:
            raise HTTPException(422, "the request body is the file to take in; it was empty")
        job = await run_in_threadpool(_submit, store, actor, kind, params, job_id)
    except BaseException:
        service.discard_spool(settings, job_id)
        raise
    return _accepted(request, job)


@router.post("/ingest", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def ingest(
    request: Request, actor: Ingester, settings: SettingsDep, store: StoreDep,
    records: Annotated[RecordsKind, Query(description="What the file holds (the KIND of "
                                          "`scamnet ingest`).")],
    filename: Filename = "upload.csv",
) -> Any:  # fmt: skip
    """Take a file in, as `scamnet ingest KIND FILE`: the request body is the file (at
    most $SCAMNET_UPLOAD_MAX_BYTES; 413 past it). The result counts what was read,
    stored, already stored and rejected by reason."""
    params = {"records": str(records), "filename": filename}
    return await _upload(request, settings, store, actor, "ingest", params, filename)


@router.post("/model-train", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def model_train(
    request: Request, actor: Processor, settings: SettingsDep, store: StoreDep,
    kind: ModelKind,
    label_column: Annotated[str | None, Query(max_length=200)] = None,
    from_verdicts: bool = False,
    normal_class: Annotated[str | None, Query(max_length=200)] = None,
    filename: Filename = "train.csv",
) -> Any:  # fmt: skip
    """Train a detector into the registry, as `scamnet model train KIND --input FILE`: the
    request body is the file of rows. The new version becomes champion only if at least
    as good on the kind's frozen evaluation set."""
    params = {"kind": kind, "label_column": label_column, "from_verdicts": from_verdicts,
              "normal_class": normal_class}  # fmt: skip
    return await _upload(request, settings, store, actor, "model-train", params, filename)


@router.post("/model-evaluate", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def model_evaluate(
    request: Request, actor: Processor, settings: SettingsDep, store: StoreDep,
    kind: ModelKind, label_column: Annotated[str, Query(min_length=1, max_length=200)],
    folds: Annotated[int, Query(ge=2, le=20)] = 5,
    normal_class: Annotated[str | None, Query(max_length=200)] = None,
    filename: Filename = "rows.csv",
) -> Any:  # fmt: skip
    """Cross-validated metrics on the uploaded rows, as `scamnet model evaluate`; the
    result is its ``--json`` document."""
    params = {"kind": kind, "label_column": label_column, "folds": folds,
              "normal_class": normal_class}  # fmt: skip
    return await _upload(request, settings, store, actor, "model-evaluate", params, filename)


@router.post("/model-score", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def model_score(
    request: Request, actor: Processor, settings: SettingsDep, store: StoreDep,
    kind: ModelKind, filename: Filename = "rows.csv",
) -> Any:  # fmt: skip
    """Score the uploaded rows with the kind's champion, as `scamnet model score`: one
    prediction per row, in order, with score, label and why (in the result)."""
    return await _upload(request, settings, store, actor, "model-score", {"kind": kind},
                         filename)  # fmt: skip


@router.post("/stream-watch", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def stream_watch(
    request: Request, actor: Ingester, settings: SettingsDep, store: StoreDep,
    source: Annotated[str, Query(min_length=1, max_length=64,
                                 description="The partner or list it comes from.")],
    filename: Filename = "watch.csv",
) -> Any:  # fmt: skip
    """Add a partner's watch list (CSV: kind, identifier, fraud_type), as `scamnet stream
    watch`: its identifiers are matched on every arriving record."""
    return await _upload(request, settings, store, actor, "stream-watch", {"source": source},
                         filename)  # fmt: skip


@router.post("/report-press", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def report_press(
    request: Request, actor: HandoverWriter, settings: SettingsDep, store: StoreDep,
    filename: Filename = "press.csv",
) -> Any:  # fmt: skip
    """Load published handover figures as batches, as `scamnet report press`."""
    return await _upload(request, settings, store, actor, "report-press", {}, filename)


Source = Annotated[
    str | None,
    Query(min_length=1, max_length=64, description="Who the records come from "
          "(default: the file's)."),
]  # fmt: skip


@router.post("/import-ftm", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def import_ftm(
    request: Request, actor: Ingester, settings: SettingsDep, store: StoreDep,
    source: Source = None, filename: Filename = "import.jsonl",
) -> Any:  # fmt: skip
    """FollowTheMoney persons (JSON Lines) as person records, as `scamnet import ftm`."""
    return await _upload(request, settings, store, actor, "import-ftm", {"source": source},
                         filename)  # fmt: skip


@router.post("/import-stix", status_code=202, openapi_extra={"requestBody": {
    "required": True, "content": UPLOAD_CONTENT}})  # fmt: skip
async def import_stix(
    request: Request, actor: Ingester, settings: SettingsDep, store: StoreDep,
    source: Source = None, filename: Filename = "bundle.json",
) -> Any:  # fmt: skip
    """A STIX 2.1 bundle's indicators as victim reports, as `scamnet import stix`."""
    return await _upload(request, settings, store, actor, "import-stix", {"source": source},
                         filename)  # fmt: skip


@router.post("/export", status_code=202)
def export(body: ExportParams, request: Request, actor: Exporter, store: StoreDep) -> Any:
    """Export for other tools, as `scamnet export FORMAT`: FollowTheMoney, STIX 2.1, MISP,
    a group's chart (GraphML, GEXF, Cytoscape, i2), GeoJSON or group lists. The result
    names the files; download them from ``/v1/jobs/{id}/files/{name}``."""
    return _accepted(request, _submit(store, actor, "export", body.model_dump(mode="json")))


@router.post("/lake-export", status_code=202)
def lake_export(body: LakeExportParams, request: Request, actor: Exporter,
                store: StoreDep) -> Any:  # fmt: skip
    """A window of stored calls or transfers as CSV or Parquet, as `scamnet lake export`."""
    params = body.model_dump(mode="json", by_alias=True)
    return _accepted(request, _submit(store, actor, "lake-export", params))


@router.post("/resolve-export", status_code=202)
def resolve_export(
    request: Request, actor: Exporter, store: StoreDep, body: ResolveExportParams | None = None
) -> Any:
    """The person clusters with their records, as `scamnet resolve export`."""
    params = (body or ResolveExportParams()).model_dump(mode="json")
    return _accepted(request, _submit(store, actor, "resolve-export", params))


@router.get("/{job_id}/files/{name}", responses={410: {"description": "The file was deleted "
            "at the end of its retention ($SCAMNET_JOB_FILES_DAYS)"}})  # fmt: skip
def download(job_id: JobId, name: FileName, actor: Downloader, session: SessionDep,
             settings: SettingsDep) -> FileResponse:  # fmt: skip
    """A file an export job wrote (an audited download; say why). Files stay
    $SCAMNET_JOB_FILES_DAYS days (default 7) after the job ends; then 410 Gone."""
    try:
        path = service.output_file(session, settings, actor, job_id, name)
    except service.FilesExpired as exc:
        raise HTTPException(410, str(exc)) from None
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")


@router.post("/features", status_code=202)
def features(body: FeaturesParams, request: Request, actor: Processor, store: StoreDep) -> Any:
    """Compute the subscriber features of a window, as `scamnet features subscribers`."""
    params = body.model_dump(mode="json", by_alias=True)
    return _accepted(request, _submit(store, actor, "features", params))


@router.post("/detect", status_code=202)
def detect(body: DetectParams, request: Request, actor: Processor, store: StoreDep) -> Any:
    """Score a window with the kind's champion and store the alerts, as `scamnet detect
    subscribers|messages|urls|accounts`."""
    params = body.model_dump(mode="json", by_alias=True)
    return _accepted(request, _submit(store, actor, "detect", params))


@router.post("/network", status_code=202)
def network(request: Request, actor: Grouper, store: StoreDep) -> Any:
    """Find the groups again (Leiden on the suspected subgraph), as `scamnet network
    groups`."""
    return _accepted(request, _submit(store, actor, "network", {}))


@router.post("/resolve", status_code=202)
def resolve(request: Request, actor: Resolver, store: StoreDep) -> Any:
    """Resolve every person record into persons again, as `scamnet resolve persons`."""
    return _accepted(request, _submit(store, actor, "resolve", {}))


@router.post("/lake-check", status_code=202)
def lake_check(
    request: Request, actor: Ingester, store: StoreDep, body: LakeCheckParams | None = None
) -> Any:
    """Check the record lake (and with ``repair``, clean what interrupted ingests left), as
    `scamnet lake check [--repair]`; the result is its ``--json`` document."""
    params = (body or LakeCheckParams()).model_dump(mode="json")
    return _accepted(request, _submit(store, actor, "lake-check", params))


@router.get("")
def list_jobs(
    actor: Reader,
    session: SessionDep,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The jobs of your agency (and its children; an admin sees every agency's), newest
    first."""
    total, jobs = service.listing(session, actor, kind, state, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": as_json(jobs)}


@router.get("/{job_id}")
def read_job(job_id: JobId, actor: Reader, session: SessionDep) -> Any:
    """A job: its state (queued, running, succeeded, failed, interrupted), progress when
    known, times, who submitted it, and its result or its error in one line."""
    return as_json(service.read(session, actor, job_id))


rejects_router = APIRouter(prefix="/v1", tags=["jobs"])
RejectsReader = Annotated[Actor, Depends(require(P.DATA_INGEST, personal=True))]


@rejects_router.get("/rejects")
def rejects(
    actor: RejectsReader,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[RecordsKind | None, Query(description="Only rows of this kind.")] = None,
    file: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Only rows from this file (its name, or its path as ingested).",
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Rows refused at ingestion, as `scamnet ingest rejects --json`: the counts by reason
    and one page of the rows with file and line (an audited read: the rows are what the
    sources held)."""
    from scamnet.ingest.rejects import list_rejects
    from scamnet.store.uow import SqlUnitOfWork

    found = list_rejects(settings.rejects_dir, SqlUnitOfWork(session).audit, actor.user,
                         str(kind) if kind else None, file)  # fmt: skip
    reasons = [{"kind": k, "reason": r, "rows": n} for k, r, n in found.by_reason]
    return {"total": found.total, "by_reason": reasons, "limit": limit, "offset": offset,
            "rows": as_json(found.rows[offset : offset + limit])}  # fmt: skip

"""Cases and suspects with their transitions, transfer requests, handovers, operations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep
from scamnet.api.paging import Limit, Offset, Sort, as_json, page
from scamnet.core.access import Actor, Permission
from scamnet.core.cases import CaseOrigin, CustodyEvent, OutcomeKind, TargetKind, TransferStatus
from scamnet.core.membership import MIN_CONFIDENCE
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.store.uow import SqlUnitOfWork

router = APIRouter(prefix="/v1", tags=["casework"])
P = Permission
CaseLister = Annotated[Actor, Depends(require(P.CASES_READ))]
CaseReader = Annotated[Actor, Depends(require(P.CASES_READ, personal=True))]
CaseWriter = Annotated[Actor, Depends(require(P.CASES_WRITE))]
TransferReader = Annotated[Actor, Depends(require(P.TRANSFERS_READ))]
TransferWriter = Annotated[Actor, Depends(require(P.TRANSFERS_WRITE))]
HandoverLister = Annotated[Actor, Depends(require(P.HANDOVERS_READ))]
HandoverReader = Annotated[Actor, Depends(require(P.HANDOVERS_READ, personal=True))]
HandoverWriter = Annotated[Actor, Depends(require(P.HANDOVERS_WRITE))]
OperationReader = Annotated[Actor, Depends(require(P.OPERATIONS_READ))]
OperationWriter = Annotated[Actor, Depends(require(P.OPERATIONS_WRITE))]
Ref = Annotated[str, PathParam(min_length=1, max_length=64)]
SuspectId = Annotated[int, PathParam(ge=1, le=2**62)]
Basis = Annotated[str, Field(min_length=1, max_length=500)]
Text = Annotated[str, Field(max_length=2000)]
MAX_MANIFEST_BYTES = 2 * 1024 * 1024


class NewCase(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    origin: CaseOrigin = CaseOrigin.MANUAL
    ref: Annotated[str | None, Field(max_length=200)] = None
    min_confidence: Annotated[float, Field(ge=0, le=1)] = MIN_CONFIDENCE


class NewSuspect(BaseModel):
    person: Annotated[int, Field(ge=1, le=2**62)]
    role: Role | None = None
    status: SuspectStatus = SuspectStatus.IDENTIFIED
    legal_basis: Basis


class StatusChange(BaseModel):
    status: SuspectStatus
    legal_basis: Basis


class Warrant(BaseModel):
    warrant: Annotated[str, Field(min_length=1, max_length=64)]


class NewTransfer(BaseModel):
    partner: Annotated[str, Field(min_length=1, max_length=64)]
    persons: Annotated[
        list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=5000)
    ]
    legal_basis: Basis


class TransferMove(BaseModel):
    status: TransferStatus
    note: Text = ""


class Custody(BaseModel):
    seq: Annotated[int, Field(ge=1, le=100_000)]
    event: CustodyEvent
    detail: Text = ""


class NewOperation(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    started_on: date


class Target(BaseModel):
    kind: TargetKind
    ref: Annotated[str, Field(min_length=1, max_length=200)]


class Outcome(BaseModel):
    kind: OutcomeKind
    ref: Annotated[str, Field(min_length=1, max_length=200)]
    on: date


@router.get("/cases")
def list_cases(actor: CaseLister, session: SessionDep, limit: Limit = 50, offset: Offset = 0,
               sort: Sort = None) -> dict[str, Any]:  # fmt: skip
    """The cases of your agencies and those shared with you."""
    from scamnet.cases import listing

    found = listing.list_cases(SqlUnitOfWork(session), actor)
    return page(found, limit, offset, sort, ("reference", "opened_at", "agency", "suspects"))


@router.post("/cases", status_code=201)
def open_case(body: NewCase, actor: CaseWriter, session: SessionDep) -> Any:
    """Open a case; from a group, only members at or above min_confidence become suspects."""
    from scamnet.cases import suspects

    return as_json(suspects.open_case(SqlUnitOfWork(session), actor, body.title, body.origin,
                                      body.ref, body.min_confidence))  # fmt: skip


@router.get("/cases/{reference}")
def read_case(reference: Ref, actor: CaseReader, session: SessionDep) -> Any:
    """A case's suspects with names, identifiers and history (an audited read)."""
    from scamnet.cases import suspects

    return as_json(suspects.read_case(SqlUnitOfWork(session), actor, reference))


@router.post("/cases/{reference}/suspects", status_code=201)
def add_suspect(
    reference: Ref, body: NewSuspect, actor: CaseWriter, session: SessionDep
) -> dict[str, int]:
    from scamnet.cases import suspects

    sid = suspects.add_suspect(SqlUnitOfWork(session), actor, reference, body.person, body.role,
                               body.status, body.legal_basis)  # fmt: skip
    return {"suspect": sid}


@router.post("/suspects/{suspect_id}/status")
def change_status(suspect_id: SuspectId, body: StatusChange, actor: CaseWriter,
                  session: SessionDep) -> Any:  # fmt: skip
    """Move a suspect on; the lifecycle refuses an illegal step (422) and writes nothing."""
    from scamnet.cases import suspects

    return as_json(suspects.change_status(SqlUnitOfWork(session), actor, suspect_id, body.status,
                                          body.legal_basis))  # fmt: skip


@router.post("/suspects/{suspect_id}/warrant")
def warrant(suspect_id: SuspectId, body: Warrant, actor: CaseWriter, session: SessionDep) -> Any:
    from scamnet.cases import suspects

    return as_json(suspects.issue_warrant(SqlUnitOfWork(session), actor, suspect_id,
                                          body.warrant))  # fmt: skip


@router.get("/transfers")
def list_transfers(actor: TransferReader, session: SessionDep, limit: Limit = 50,
                   offset: Offset = 0, sort: Sort = None) -> dict[str, Any]:  # fmt: skip
    from scamnet.cases import transfers

    found = transfers.list_requests(SqlUnitOfWork(session), actor)
    return page(found, limit, offset, sort, ("reference", "status", "created_at"))


@router.post("/transfers", status_code=201)
def request_transfer(
    body: NewTransfer, actor: TransferWriter, session: SessionDep
) -> dict[str, str]:
    from scamnet.cases import transfers

    ref = transfers.create(SqlUnitOfWork(session), actor, body.partner, body.persons,
                           body.legal_basis)  # fmt: skip
    return {"reference": ref}


@router.post("/transfers/{reference}/status")
def move_transfer(reference: Ref, body: TransferMove, actor: TransferWriter,
                  session: SessionDep) -> dict[str, str]:  # fmt: skip
    from scamnet.cases import transfers

    return {"status": transfers.change(SqlUnitOfWork(session), actor, reference, body.status,
                                       body.note)}  # fmt: skip


@router.get("/handovers")
def list_handovers(actor: HandoverLister, session: SessionDep, limit: Limit = 50,
                   offset: Offset = 0) -> dict[str, Any]:  # fmt: skip
    from scamnet.cases import handovers

    found = handovers.list_batches(SqlUnitOfWork(session), actor)
    return page([{"batch": h, "persons": n} for h, n in found], limit, offset)


@router.get("/handovers/{batch}")
def read_handover(batch: Ref, actor: HandoverReader, session: SessionDep) -> Any:
    """A batch's lines with the match evidence and custody (an audited read)."""
    from scamnet.cases import handovers

    return as_json(handovers.read_batch(SqlUnitOfWork(session), actor, batch))


@router.post(
    "/handovers",
    status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {
        "type": "string"}}}}},
)  # fmt: skip
async def upload_manifest(request: Request, actor: HandoverWriter, session: SessionDep) -> Any:
    """A manifest (CSV, UTF-8), all or nothing: a refusal lists every bad line."""
    from fastapi.concurrency import run_in_threadpool

    from scamnet.cases import handovers
    from scamnet.cases.manifest import parse_manifest

    body = await read_limited(request, MAX_MANIFEST_BYTES)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "the manifest is not UTF-8 text") from None
    parsed = parse_manifest(text, "manifest", request.query_params.get("request"))
    uow = SqlUnitOfWork(session)
    results = await run_in_threadpool(handovers.import_batches, uow, actor, parsed.batches)
    return as_json(results)


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused with 413 past ``limit`` bytes (counted as it arrives)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/handovers/{batch}/custody", status_code=201)
def custody(
    batch: Ref, body: Custody, actor: HandoverWriter, session: SessionDep
) -> dict[str, str]:
    """Record a custody step; steps go in order, each once."""
    from scamnet.cases import handovers

    handovers.record_custody(SqlUnitOfWork(session), actor, batch, body.seq, body.event,
                             body.detail)  # fmt: skip
    return {"status": "recorded"}


@router.get("/operations")
def list_operations(actor: OperationReader, session: SessionDep, limit: Limit = 50,
                    offset: Offset = 0) -> dict[str, Any]:  # fmt: skip
    from scamnet.cases import operations

    return page(operations.list_operations(SqlUnitOfWork(session)), limit, offset)


@router.post("/operations", status_code=201)
def create_operation(
    body: NewOperation, actor: OperationWriter, session: SessionDep
) -> dict[str, str]:
    from scamnet.cases import operations

    operations.create(SqlUnitOfWork(session), actor, body.name, body.started_on)
    return {"operation": body.name.strip()}


@router.post("/operations/{name}/targets", status_code=201)
def add_target(
    name: Ref, body: Target, actor: OperationWriter, session: SessionDep
) -> dict[str, str]:
    from scamnet.cases import operations

    operations.target(SqlUnitOfWork(session), actor, name, body.kind, body.ref)
    return {"status": "recorded"}


@router.post("/operations/{name}/outcomes", status_code=201)
def add_outcome(
    name: Ref, body: Outcome, actor: OperationWriter, session: SessionDep
) -> dict[str, str]:
    from scamnet.cases import operations

    operations.outcome(SqlUnitOfWork(session), actor, name, body.kind, body.ref, body.on)
    return {"status": "recorded"}

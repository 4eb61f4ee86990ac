"""The citizens' service, without login: check an identifier, file a report."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from scamnet.api.auth import public
from scamnet.api.checks import encoded
from scamnet.api.deps import SessionDep
from scamnet.citizens.service import CheckCache, CheckResult
from scamnet.core.records import FraudType
from scamnet.store import Store

router = APIRouter(prefix="/v1", tags=["citizens"], dependencies=[Depends(public())])
Short = Annotated[str | None, Field(max_length=300)]


class VictimReport(BaseModel):
    fraud_type: FraudType
    scammer_phone: Short = None
    scammer_account: Short = None
    scammer_url: Short = None
    victim_phone: Short = None
    loss: Annotated[Decimal | None, Field(ge=0, le=1_000_000_000, max_digits=14,
                                          decimal_places=2)] = None  # fmt: skip
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    narrative: Annotated[str | None, Field(max_length=2000)] = None


class CheckAnswer(BaseModel):
    """The public answer (documented here; the route sends it pre-encoded)."""

    kind: str
    value: str
    risk: Literal["high", "medium", "unknown"]
    summary: dict[str, str]
    reasons: list[dict[str, str]]
    advice: dict[str, str]


@router.get("/check/{kind}/{value:path}", response_model=CheckAnswer)
async def check(
    kind: Literal["phone", "url", "account", "wallet"],
    value: Annotated[str, PathParam(min_length=1, max_length=2048)],
    request: Request,
) -> Response:
    """Is this number, URL, account or wallet known as a scam? A risk level, the kinds of
    fraud in fr/zh/en, and advice. Nothing about persons or investigations.

    Answers are remembered for half a minute (``SCAMNET_CHECK_CACHE_S``). A well-formed
    question is answered before routing (`scamnet.api.checks`), from memory or with one
    statement; this route answers the rest (its errors) and documents the answer.
    """
    checks: CheckCache = request.app.state.checks
    known = checks.get(kind, value)
    if known is None:
        known = await run_in_threadpool(_check, request.app.state.store, checks, kind, value)
    return Response(encoded(known), media_type="application/json")


def _check(store: Store, checks: CheckCache, kind: str, value: str) -> CheckResult:
    with store.session() as session:
        return checks.check(session, kind, value)


@router.post("/reports", status_code=201)
def report(body: VictimReport, request: Request, session: SessionDep) -> dict[str, Any]:
    """A victim's report. Validated, rate-limited per client, and it seeds the network."""
    from scamnet.citizens.service import file_report

    client = request.client.host if request.client else "unknown"
    receipt = file_report(session, client, body.model_dump(mode="json"))
    return {"reference": receipt.reference, "filed_at": receipt.filed_at}

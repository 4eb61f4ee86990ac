"""The citizens' service, without login: check an identifier, file a report."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from scamnet.api.auth import public
from scamnet.api.deps import SessionDep
from scamnet.api.paging import as_json
from scamnet.core.records import FraudType

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


@router.get("/check/{kind}/{value:path}")
def check(
    kind: Literal["phone", "url", "account", "wallet"],
    value: Annotated[str, PathParam(min_length=1, max_length=2048)],
    session: SessionDep,
) -> Any:
    """Is this number, URL, account or wallet known as a scam? A risk level, the kinds of
    fraud in fr/zh/en, and advice. Nothing about persons or investigations."""
    from scamnet.citizens.service import check as run

    return as_json(run(session, kind, value))


@router.post("/reports", status_code=201)
def report(body: VictimReport, request: Request, session: SessionDep) -> dict[str, Any]:
    """A victim's report. Validated, rate-limited per client, and it seeds the network."""
    from scamnet.citizens.service import file_report

    client = request.client.host if request.client else "unknown"
    receipt = file_report(session, client, body.model_dump(mode="json"))
    return {"reference": receipt.reference, "filed_at": receipt.filed_at}

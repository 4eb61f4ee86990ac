"""The citizens' pages, with no login: check a number, URL, account or wallet, and file a
report. They call the same use cases as the public API (``scamnet.citizens``), which
return nothing about investigations. Usable on a phone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from scamnet.api.deps import SessionDep
from scamnet.citizens import service as citizens
from scamnet.citizens.texts import CATEGORIES
from scamnet.core.errors import DomainError
from scamnet.core.records import FraudType
from scamnet.web.guard import PUBLIC, PublicForm
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
KINDS = tuple(citizens.PUBLIC_KINDS)


@router.get("/check", dependencies=PUBLIC)
def check_form(request: Request) -> Response:
    return page(request, "check.html", kinds=KINDS, result=None, kind="phone", value="")


@router.post("/check", dependencies=PublicForm)
def check(
    request: Request,
    session: SessionDep,
    kind: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=300)],
) -> Response:
    """Posted, so the number checked never appears in a URL, a log or the history."""
    try:
        result = citizens.check(session, kind, value)
    except DomainError as exc:  # shown on the form, so the citizen can correct it
        return page(request, "check.html", status=400, kinds=KINDS, result=None, kind=kind,
                    value=value, error=str(exc))  # fmt: skip
    return page(request, "check.html", kinds=KINDS, result=result, kind=kind, value=value)


@router.get("/report", dependencies=PUBLIC)
def report_form(request: Request) -> Response:
    return page(
        request, "report.html", fraud_types=list(FraudType), categories=CATEGORIES, receipt=None
    )


@router.post("/report", dependencies=PublicForm)
def report(
    request: Request,
    session: SessionDep,
    fraud_type: Annotated[str, Form(max_length=40)],
    scammer_phone: Annotated[str, Form(max_length=300)] = "",
    scammer_account: Annotated[str, Form(max_length=300)] = "",
    scammer_url: Annotated[str, Form(max_length=300)] = "",
    loss: Annotated[str, Form(max_length=30)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    narrative: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    client = request.client.host if request.client else "unknown"
    payload = {"fraud_type": fraud_type, "scammer_phone": scammer_phone,
               "scammer_account": scammer_account, "scammer_url": scammer_url,
               "loss": loss or None, "currency": currency, "narrative": narrative}  # fmt: skip
    receipt = citizens.file_report(session, client, payload)
    return page(
        request, "report.html", fraud_types=list(FraudType), categories=CATEGORIES, receipt=receipt
    )

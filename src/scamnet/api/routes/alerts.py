"""Alerts with assignment and verdicts; everything known about an identifier."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep
from scamnet.api.paging import Limit, Offset, as_json, json_response
from scamnet.core.access import Actor, Permission
from scamnet.core.alerts import AlertVerdict

router = APIRouter(prefix="/v1", tags=["alerts"])
P = Permission
Reader = Annotated[Actor, Depends(require(P.ALERTS_READ))]
PersonalReader = Annotated[Actor, Depends(require(P.ALERTS_READ, personal=True))]
Triager = Annotated[Actor, Depends(require(P.ALERTS_TRIAGE))]
IdentifierReader = Annotated[Actor, Depends(require(P.IDENTIFIERS_READ, personal=True))]
AlertId = Annotated[int, PathParam(ge=1, le=2**62)]


class Assignment(BaseModel):
    assignee: Annotated[str | None, Field(max_length=64)] = None


class Verdict(BaseModel):
    verdict: Literal["confirmed", "false_positive", "needs_review"]
    note: Annotated[str, Field(max_length=2000)] = ""


class Lookup(BaseModel):
    kind: Literal["tel", "acct", "wallet", "url", "imei", "ip", "chat"]
    value: Annotated[str, Field(min_length=1, max_length=2048)]


# The page is sent as it is encoded (`json_response`); the schema still says what it is.
@router.get("/alerts", response_model=dict[str, Any])
def list_alerts(
    actor: Reader,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
    kind: Literal["subscriber", "message", "url", "account"] | None = None,
    min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    window: Annotated[str | None, Query(max_length=32)] = None,
    status: Literal["open", "confirmed", "false_positive", "needs_review"] | None = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    group: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    sort: Literal["score", "created", "id"] = "score",
    ascending: bool = False,
) -> Response:
    """The triage queue (as `scamnet alerts list`), highest score first."""
    from scamnet.detect import triage
    from scamnet.store.alerts import AlertQuery

    query = AlertQuery(kind, min_score, window, status, assignee, group, sort, not ascending,
                       limit, offset)  # fmt: skip
    result = triage.list_alerts(session, actor, query)
    return json_response(result)


@router.get("/alerts/{alert_id}")
def show_alert(alert_id: AlertId, actor: PersonalReader, session: SessionDep) -> Any:
    """One alert with its reasons and context (an audited read)."""
    from scamnet.detect import triage

    return as_json(triage.show_alert(session, actor, alert_id))


@router.post("/alerts/{alert_id}/assign")
def assign(alert_id: AlertId, body: Assignment, actor: Triager, session: SessionDep) -> Any:
    from scamnet.detect import triage

    return as_json(triage.assign(session, actor, alert_id, body.assignee))


@router.post("/alerts/{alert_id}/verdict")
def verdict(alert_id: AlertId, body: Verdict, actor: Triager, session: SessionDep) -> Any:
    """Confirm, dismiss or send back for review; a false positive stops seeding networks."""
    from scamnet.detect import triage

    return as_json(triage.give_verdict(session, actor, alert_id, AlertVerdict(body.verdict),
                                       body.note))  # fmt: skip


@router.post("/identifiers/lookup")
def identifier(body: Lookup, actor: IdentifierReader, session: SessionDep) -> Any:
    """Everything known about a number, account, wallet or URL: alerts, reports, persons,
    groups (an audited read; the value travels in the body, never in a URL)."""
    from scamnet.network.identifiers import identifier_file

    return as_json(identifier_file(session, actor, body.kind, body.value))

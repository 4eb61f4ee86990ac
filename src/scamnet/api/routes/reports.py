"""Statistics, bulletins (render, approve names), and the models with their cards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep, SettingsDep
from scamnet.api.paging import as_json
from scamnet.core.access import Actor, Permission
from scamnet.report.bulletin import Lang
from scamnet.report.statistics import Period
from scamnet.store.uow import SqlUnitOfWork

router = APIRouter(prefix="/v1", tags=["statistics and bulletins"])
P = Permission
StatsReader = Annotated[Actor, Depends(require(P.STATS_READ))]
Renderer = Annotated[Actor, Depends(require(P.BULLETIN_RENDER))]
Approver = Annotated[Actor, Depends(require(P.BULLETIN_APPROVE))]
ModelReader = Annotated[Actor, Depends(require(P.MODELS_READ))]


class Approval(BaseModel):
    person: Annotated[int, Field(ge=1, le=2**62)]
    text: Annotated[str, Field(min_length=1, max_length=500)]


@router.get("/stats")
def stats(
    actor: StatsReader,
    session: SessionDep,
    period: Period = Period.DAY,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Totals and one breakdown (by day, month, batch, agency or crossing), from the records."""
    from scamnet.report.statistics import breakdown, totals

    return {"totals": as_json(totals(session, as_of)),
            "breakdown": as_json(breakdown(session, period, as_of))}  # fmt: skip


@router.get("/bulletins/{lang}", response_model=None)
def bulletin(
    lang: Lang,
    actor: Renderer,
    session: SessionDep,
    format: Literal["markdown", "html"] = "markdown",
    tz: Annotated[str, Query(max_length=64)] = "Asia/Shanghai",
) -> Response:
    """The public bulletin: aggregate figures and the names a supervisor approved."""
    from zoneinfo import ZoneInfoNotFoundError

    from fastapi import HTTPException

    from scamnet.cases import publications
    from scamnet.report.bulletin import compose
    from scamnet.report.statistics import totals

    now = datetime.now(UTC)
    uow = SqlUnitOfWork(session)
    try:
        b = compose(totals(session, now.date()), now, lang, publications.approved(uow), tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise HTTPException(422, f"unknown time zone {tz!r}") from None
    if format == "html":
        return HTMLResponse(b.html())
    return PlainTextResponse(b.markdown(), media_type="text/markdown; charset=utf-8")


@router.post("/bulletins/approvals", status_code=201)
def approve(body: Approval, actor: Approver, session: SessionDep) -> dict[str, str]:
    """Approve a name for publication; the text must say 'suspected' (supervisors only)."""
    from scamnet.cases import publications

    publications.approve(SqlUnitOfWork(session), actor, body.person, body.text)
    return {"status": "approved"}


@router.get("/models")
def models(actor: ModelReader, settings: SettingsDep) -> list[dict[str, Any]]:
    """The saved detector versions, the champion marked, with their model cards."""
    from scamnet.detect.registry import ModelRegistry

    return [{"kind": v.kind, "version": v.version, "champion": v.champion, "card": v.card}
            for v in ModelRegistry(settings).versions()]  # fmt: skip

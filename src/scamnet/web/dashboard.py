"""The dashboard: the figures from the handover records with charts, and the newest
alerts, handovers and groups (each shown only to a role that may read it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from scamnet.api.deps import SessionDep
from scamnet.cases import handovers
from scamnet.core.access import Actor, Permission
from scamnet.detect import triage
from scamnet.network import service as network
from scamnet.report.statistics import Period, summary
from scamnet.store.alerts import AlertQuery
from scamnet.store.uow import SqlUnitOfWork
from scamnet.web.charts import bars
from scamnet.web.guard import Stats
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
NEWEST = 5


def _figures(session: SessionDep) -> dict[str, Any]:
    """The figures from one reading of the batches; the published (press) figures are
    shown beside those recorded from manifests, so a reader sees where they differ."""
    found = summary(session, (Period.DAY, Period.CROSSING, Period.AGENCY))
    days = found.breakdowns[Period.DAY]
    by_crossing = found.breakdowns[Period.CROSSING]
    by_agency = found.breakdowns[Period.AGENCY]
    return {
        "totals": found.totals,
        "recorded": found.recorded,
        "published": found.published,
        "days": days,
        "by_crossing": by_crossing,
        "by_agency": by_agency,
        "day_chart": bars([(r.key, r.persons) for r in days], [r.cumulative for r in days]),
        "crossing_chart": bars([(r.key, r.persons) for r in by_crossing]),
        "agency_chart": bars([(r.key, r.persons) for r in by_agency]),
    }


def _newest(session: SessionDep, actor: Actor) -> dict[str, Any]:
    out: dict[str, Any] = {"alerts": None, "batches": None, "groups": None}
    if actor.may(Permission.ALERTS_READ):
        query = AlertQuery(status="open", sort="created", limit=NEWEST)
        out["alerts"] = triage.list_alerts(session, actor, query).alerts
    if actor.may(Permission.HANDOVERS_READ):
        batches = handovers.list_batches(SqlUnitOfWork(session), actor)
        out["batches"] = sorted(batches, key=lambda b: (b[0].date, b[0].batch_id))[-NEWEST:][::-1]
    if actor.may(Permission.GROUPS_READ):
        out["groups"] = network.list_groups(session, actor)[:NEWEST]
    return out


@router.get("/")
def dashboard(request: Request, session: SessionDep, actor: Stats) -> Response:
    return page(request, "dashboard.html", actor, **_figures(session), **_newest(session, actor))


@router.get("/dashboard/figures")
def figures(request: Request, session: SessionDep, actor: Stats) -> Response:
    """The figures alone, which the dashboard polls to stay live."""
    return page(request, "_figures.html", actor, **_figures(session))

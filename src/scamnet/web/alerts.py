"""The alert queue: filter, sort, assign, and a verdict in one click (htmx swaps the row)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from scamnet.api.deps import SessionDep, StoreDep
from scamnet.core.alerts import AlertStatus, AlertVerdict
from scamnet.detect import evidence, triage
from scamnet.store.alerts import AlertQuery
from scamnet.web.groups import settings_of
from scamnet.web.guard import AlertsRead, AlertsTriage
from scamnet.web.purpose import AlertsWhy
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
KINDS = ("subscriber", "message", "url", "account")
SORTS = ("score", "created", "id")
PAGE = 50


@router.get("/alerts")
def queue(
    request: Request,
    session: SessionDep,
    actor: AlertsRead,
    kind: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "open",
    sort: Annotated[str, Query(max_length=10)] = "score",
    ascending: bool = False,
    start: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """The queue: filters and order are plain choices, never personal data."""
    query = AlertQuery(
        kind=kind if kind in KINDS else None,
        status=status if status in set(AlertStatus) else None,
        sort=sort if sort in SORTS else "score",
        descending=not ascending,
        limit=PAGE,
        offset=start,
    )
    found = triage.list_alerts(session, actor, query)
    return page(request, "alerts.html", actor, page_=found, kinds=KINDS, sorts=SORTS,
                statuses=list(AlertStatus), kind=kind, status_filter=status, sort=sort,
                ascending=ascending, start=start, size=PAGE)  # fmt: skip


@router.get("/alerts/{alert_id}")
def show(
    request: Request, session: SessionDep, store: StoreDep, actor: AlertsWhy, alert_id: int
) -> Response:
    """The alert with its reasons, the alerted text with the weighed phrases marked, and
    the identifier it is about (a button to its page)."""
    file = triage.show_alert(session, actor, alert_id)
    text = evidence.alert_text(settings_of(request, store), file.alert)
    ident, value = _identifier(file.alert.kind, file.alert.subject, file.identifier)
    return page(request, "alert.html", actor, file=file, text=text, ident=ident, ident_value=value)


@router.post("/alerts/{alert_id}/verdict")
def verdict(
    request: Request,
    session: SessionDep,
    actor: AlertsTriage,
    alert_id: int,
    decision: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    view = triage.give_verdict(session, actor, alert_id, AlertVerdict.parse(decision), note)
    return _row_or_page(request, actor, view.id, view)


@router.post("/alerts/{alert_id}/assign")
def assign(
    request: Request,
    session: SessionDep,
    actor: AlertsTriage,
    alert_id: int,
    assignee: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    view = triage.assign(session, actor, alert_id, assignee.strip() or actor.user)
    return _row_or_page(request, actor, view.id, view)


def _row_or_page(request: Request, actor: object, alert_id: int, view: object) -> Response:
    """htmx gets the row back; a plain form post (no JavaScript) gets the alert's page."""
    if request.headers.get("hx-request") == "true":
        return page(request, "_alert_row.html", actor, a=view)  # type: ignore[arg-type]
    from fastapi.responses import RedirectResponse

    return RedirectResponse(f"/alerts/{alert_id}", 303)


def _identifier(kind: str, subject: str, graph_key: str | None) -> tuple[str | None, str]:
    """The identifier page's kind and value for an alert's subject (a message alert's
    subject is "sender|sent_at": its sender's number)."""
    if kind == "message":
        return "tel", subject.partition("|")[0]
    if kind == "url":
        return "url", subject
    if graph_key is None:
        return None, subject
    return graph_key.split(":", 1)[0], subject

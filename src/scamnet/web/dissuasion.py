"""The dissuasion queue (劝阻): the people to warn, most urgent first; take one, record
the outcome. Every listing and change is audited by the use cases (stream/queue.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep
from scamnet.core.access import Actor, Permission
from scamnet.stream import queue
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
Reader = Annotated[Actor, Depends(require(Permission.DISSUASION_READ))]
Worker = Annotated[Actor, Depends(require(Permission.DISSUASION_WORK))]
STATUSES = ("open", "taken", "closed")
PAGE = 50


@router.get("/dissuasion")
def listing(
    request: Request,
    session: SessionDep,
    actor: Reader,
    status: Annotated[str, Query(max_length=10)] = "open",
    start: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    """The queue of the actor's agencies, with the advice to give each person."""
    chosen = status if status in STATUSES else "open"
    found = queue.list_queue(session, actor, chosen, PAGE, start)
    advice = {i.id: queue.advice_for(i.fraud_type) for i in found.items}
    return page(request, "dissuasion.html", actor, found=found, advice=advice, status_filter=chosen,
                statuses=STATUSES, outcomes=list(queue.Outcome), start=start,
                size=PAGE)  # fmt: skip


@router.post("/dissuasion/{item_id}/take")
def take(request: Request, session: SessionDep, actor: Worker, item_id: int) -> Response:
    queue.take(session, actor, item_id)
    return RedirectResponse("/dissuasion?status=taken", 303)


@router.post("/dissuasion/{item_id}/outcome")
def outcome(
    request: Request,
    session: SessionDep,
    actor: Worker,
    item_id: int,
    result: Annotated[str, Form(max_length=20)],
    prevented: Annotated[str, Form(max_length=24)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if result not in set(queue.Outcome):
        from scamnet.core.errors import InvalidRecord

        raise InvalidRecord(f"unknown outcome {result[:20]!r}")
    queue.record_outcome(session, actor, item_id, queue.Outcome(result), prevented or None, note)
    return RedirectResponse("/dissuasion?status=taken", 303)

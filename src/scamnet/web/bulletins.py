"""The public bulletin: a preview in French, Chinese or English from the records, the
supervisor's approval of names, and printing (to paper or PDF from the browser)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from scamnet.api.deps import SessionDep
from scamnet.cases import publications
from scamnet.report.bulletin import Lang, compose
from scamnet.report.statistics import totals
from scamnet.store.uow import SqlUnitOfWork
from scamnet.web.guard import BulletinApprove, BulletinRender
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)


def _preview(session: SessionDep, lang: Lang) -> object:
    uow = SqlUnitOfWork(session)
    now = datetime.now(UTC)
    return compose(totals(session, now.date()), now, lang, publications.approved(uow))


@router.get("/bulletin")
def bulletin(
    request: Request,
    session: SessionDep,
    actor: BulletinRender,
    language: Annotated[Lang, Query(alias="in")] = Lang.FR,
) -> Response:
    return page(request, "bulletin.html", actor, bulletin=_preview(session, language),
                languages=list(Lang), language=language, approved=None)  # fmt: skip


@router.post("/bulletin/approve")
def approve(
    request: Request,
    session: SessionDep,
    actor: BulletinApprove,
    person_id: Annotated[int, Form(ge=1)],
    text: Annotated[str, Form(max_length=500)],
    language: Annotated[Lang, Form()] = Lang.FR,
) -> Response:
    """A supervisor approves how a person may be named (the text says 'suspected')."""
    publications.approve(SqlUnitOfWork(session), actor, person_id, text)
    return page(request, "bulletin.html", actor, bulletin=_preview(session, language),
                languages=list(Lang), language=language, approved=text.strip())  # fmt: skip

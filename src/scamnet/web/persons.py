"""Search, and the person page: the records resolved into one person (names in every
script, identifiers), the resolution evidence, and the analyst's same / not-same judgement.

The search is posted, never put in the URL: a name or a number is personal data.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from scamnet.api.deps import SessionDep, StoreDep
from scamnet.core.access import Permission
from scamnet.resolve import service as resolve
from scamnet.web import identifiers
from scamnet.web.groups import settings_of
from scamnet.web.identifiers import guess
from scamnet.web.purpose import PersonsJudgeWhy, PersonsWhy
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
CASE_REFERENCE = re.compile(r"^C-\d{4}-\d{5}$")
LIMIT = 10


@router.get("/search")
def search_form(request: Request, actor: PersonsWhy) -> Response:
    return page(request, "search.html", actor, query="", found=None)


@router.post("/search")
def search(
    request: Request,
    session: SessionDep,
    store: StoreDep,
    actor: PersonsWhy,
    q: Annotated[str, Form(max_length=200)],
) -> Response:
    """A case reference opens the case; a number, account, wallet or URL opens its
    identifier page (a phone number also finds the persons using it); anything else is a
    name in any script (Latin letters reach names written in 汉字)."""
    text = " ".join(q.split())
    if not text:
        raise ValueError("type a name, a number, an account, a wallet, a URL or a case reference")
    if CASE_REFERENCE.match(text):
        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/cases/{text}", 303)
    kind = guess(text)
    if kind is not None:
        if not actor.may(Permission.IDENTIFIERS_READ):
            raise PermissionError("your roles do not grant identifiers.read")
        return identifiers.render(request, session, actor, *kind)
    settings = settings_of(request, store)
    found = resolve.search(session, settings, actor, text, limit=LIMIT)
    return page(request, "search.html", actor, query=text, found=found)


@router.get("/persons/{person}")
def person(request: Request, session: SessionDep, actor: PersonsWhy, person: str) -> Response:
    """A resolved person by their opaque id (RP-…), never by name."""
    records = resolve.read_person(session, actor, person)
    return page(request, "person.html", actor, person=person, records=records, judged=None)


@router.post("/persons/{person}/judge")
def judge(
    request: Request,
    session: SessionDep,
    actor: PersonsJudgeWhy,
    person: str,
    uid_a: Annotated[str, Form(max_length=200)],
    uid_b: Annotated[str, Form(max_length=200)],
    verdict: Annotated[str, Form(pattern="^(same|not-same)$")],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    resolve.judge(session, actor, uid_a, uid_b, verdict == "same", note)
    records = resolve.read_person(session, actor, person)
    judged = (uid_a, uid_b, verdict)
    return page(request, "person.html", actor, person=person, records=records, judged=judged)

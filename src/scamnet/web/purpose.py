"""Why personal data is read: the case or legal basis the audited reads record.

The API takes it as ``?why=``; a page must not put it in its address (it can name a
case or a person), so the web asks for it once in a form and keeps it in a session
cookie (HttpOnly, SameSite=Strict) that every page showing personal data reads. The
use cases write it into the audit log with the read. Logging out forgets it.
"""

# No "from __future__ import annotations": FastAPI reads the closure's annotations at run time.

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from scamnet.api.auth import MAX_WHY, require
from scamnet.core.access import Actor, Permission
from scamnet.web.guard import LoggedIn
from scamnet.web.render import page
from scamnet.web.route import WHY_COOKIE, NeedPurpose, WebRoute, local_path

router = APIRouter(route_class=WebRoute)


def purposed(permission: Permission) -> Callable[..., Actor]:
    """``require(permission)`` plus the reader's stated purpose, carried by the actor into
    the use case (and from there into the audit log)."""
    base = require(permission)

    def dependency(request: Request, actor: Annotated[Actor, Depends(base)]) -> Actor:
        why = (request.cookies.get(WHY_COOKIE) or "").strip()
        if not why:
            raise NeedPurpose
        return replace(actor, why=why[:MAX_WHY])

    return dependency


@router.get("/purpose")
def purpose_form(
    request: Request, actor: LoggedIn, back: Annotated[str, Query(max_length=300)] = "/"
) -> Response:
    """The form that asks why; ``back`` is the page that asked (an opaque path)."""
    return page(request, "purpose.html", actor, back=local_path(back),
                why=request.cookies.get(WHY_COOKIE, ""))  # fmt: skip


@router.post("/purpose")
def set_purpose(
    request: Request,
    actor: LoggedIn,
    why: Annotated[str, Form(max_length=MAX_WHY)] = "",
    back: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    reason = " ".join(why.split())
    if not reason:
        return page(request, "purpose.html", actor, status=400, back=local_path(back), why="",
                    error=True)  # fmt: skip
    response = RedirectResponse(local_path(back), 303)
    # A session cookie: the purpose is stated again after the browser is closed.
    response.set_cookie(WHY_COOKIE, reason, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")  # fmt: skip
    return response


P = Permission
# The pages that show personal data: the API's ``personal=True`` routes, one for one.
PersonsWhy = Annotated[Actor, Depends(purposed(P.PERSONS_READ))]
PersonsJudgeWhy = Annotated[Actor, Depends(purposed(P.PERSONS_JUDGE))]
GroupsWhy = Annotated[Actor, Depends(purposed(P.GROUPS_READ))]
CasesWhy = Annotated[Actor, Depends(purposed(P.CASES_READ))]
TransfersWhy = Annotated[Actor, Depends(purposed(P.TRANSFERS_READ))]
HandoversWhy = Annotated[Actor, Depends(purposed(P.HANDOVERS_READ))]
AlertsWhy = Annotated[Actor, Depends(purposed(P.ALERTS_READ))]
IdentifiersWhy = Annotated[Actor, Depends(purposed(P.IDENTIFIERS_READ))]

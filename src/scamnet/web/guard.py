"""Who may open a page: the API's own declarations (``require`` and ``public``), so a page
and the API route that does the same thing are guarded alike."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from scamnet.api.auth import public, require
from scamnet.core.access import Actor, Permission
from scamnet.web.render import CSRF_COOKIE

P = Permission

Stats = Annotated[Actor, Depends(require(P.STATS_READ))]
BulletinRender = Annotated[Actor, Depends(require(P.BULLETIN_RENDER))]
BulletinApprove = Annotated[Actor, Depends(require(P.BULLETIN_APPROVE))]
AlertsRead = Annotated[Actor, Depends(require(P.ALERTS_READ))]
AlertsTriage = Annotated[Actor, Depends(require(P.ALERTS_TRIAGE))]
PersonsRead = Annotated[Actor, Depends(require(P.PERSONS_READ))]
PersonsJudge = Annotated[Actor, Depends(require(P.PERSONS_JUDGE))]
GroupsRead = Annotated[Actor, Depends(require(P.GROUPS_READ))]
CasesRead = Annotated[Actor, Depends(require(P.CASES_READ))]
CasesWrite = Annotated[Actor, Depends(require(P.CASES_WRITE))]
HandoversRead = Annotated[Actor, Depends(require(P.HANDOVERS_READ))]
HandoversWrite = Annotated[Actor, Depends(require(P.HANDOVERS_WRITE))]
UsersAdmin = Annotated[Actor, Depends(require(P.USERS_ADMIN))]
IdentifiersRead = Annotated[Actor, Depends(require(P.IDENTIFIERS_READ))]
TransfersRead = Annotated[Actor, Depends(require(P.TRANSFERS_READ))]
TransfersWrite = Annotated[Actor, Depends(require(P.TRANSFERS_WRITE))]
# Stating a purpose is open to every logged-in role; the pages that need one check theirs.
LoggedIn = Annotated[Actor, Depends(require(P.STATS_READ))]

PUBLIC = [Depends(public())]


def checked_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """The double-submit check of a form posted without a login (log in, language,
    the citizens' report): the form's token must equal the cookie's."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        raise HTTPException(403, "the form has expired: reload the page and try again")


PublicForm = [Depends(public()), Depends(checked_csrf)]

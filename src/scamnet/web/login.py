"""Logging in and out, and the language switch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from scamnet.api.deps import SessionDep
from scamnet.core.errors import NotAuthenticated, RateLimited
from scamnet.security import auth
from scamnet.web.guard import PUBLIC, PublicForm
from scamnet.web.i18n import LANG_COOKIE, LANGS
from scamnet.web.render import CSRF_COOKIE, SESSION_COOKIE, page
from scamnet.web.route import WHY_COOKIE, WebRoute

router = APIRouter(route_class=WebRoute)
YEAR_S = 365 * 86_400


@router.get("/login", dependencies=PUBLIC)
def login_form(request: Request) -> Response:
    return page(request, "login.html")


@router.post("/login", dependencies=PublicForm)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    client = request.client.host if request.client else "unknown"
    try:
        issued = auth.login(session, username.strip(), password, client)
    except NotAuthenticated as exc:
        return page(request, "login.html", status=401, error=str(exc), username=username)
    except RateLimited as exc:
        return page(request, "login.html", status=429, error=str(exc), username=username)
    response = RedirectResponse("/", 303)
    secure = request.url.scheme == "https"
    max_age = max(0, int((issued.expires_at - datetime.now(UTC)).total_seconds()))
    response.set_cookie(SESSION_COOKIE, issued.token, max_age=max_age, httponly=True,
                        samesite="strict", secure=secure)  # fmt: skip
    response.set_cookie(CSRF_COOKIE, issued.csrf, max_age=max_age, httponly=True,
                        samesite="strict", secure=secure)  # fmt: skip
    return response


@router.post("/logout", dependencies=PublicForm)
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.logout(session, token)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(WHY_COOKIE)  # a purpose is stated per work session
    return response


@router.post("/lang", dependencies=PublicForm)
def switch_language(
    lang: Annotated[str, Form()], back: Annotated[str, Form(max_length=300)] = "/"
) -> Response:
    # Only a path of this site: an open redirect would let a link send users elsewhere.
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, 303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR_S, samesite="lax")
    return response

"""Rendering a page: the template in the reader's language, with the CSRF token and the
navigation the actor's role allows."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi.responses import HTMLResponse
from starlette.requests import Request

from scamnet.core.access import Actor, Permission
from scamnet.web.i18n import LANG_NAMES, LANGS, environment, pick_lang

CSRF_COOKIE = "scamnet_csrf"
SESSION_COOKIE = "scamnet_session"


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    """Marks a message for extraction; it is translated where it is shown."""
    return message


# The navigation: (path, label, the permission that shows it). Labels are msgids.
NAV: tuple[tuple[str, str, Permission], ...] = (
    ("/", N_("Dashboard"), Permission.STATS_READ),
    ("/alerts", N_("Alerts"), Permission.ALERTS_READ),
    ("/dissuasion", N_("Dissuasion"), Permission.DISSUASION_READ),
    ("/groups", N_("Groups"), Permission.GROUPS_READ),
    ("/search", N_("Search"), Permission.PERSONS_READ),
    ("/cases", N_("Cases"), Permission.CASES_READ),
    ("/handovers", N_("Handovers"), Permission.HANDOVERS_READ),
    ("/bulletin", N_("Bulletin"), Permission.BULLETIN_RENDER),
    ("/admin", N_("Admin"), Permission.USERS_ADMIN),
)


def csrf_token(request: Request) -> str:
    """The double-submit token: the cookie's, or a new one set with the response."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = request.state.new_csrf = secrets.token_urlsafe(24)
    return token


def page(
    request: Request,
    template: str,
    actor: Actor | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered for ``actor`` (None on public pages) in the reader's language."""
    lang = pick_lang(request)
    csrf = csrf_token(request)
    nav = [(p, label) for p, label, perm in NAV if actor is not None and actor.may(perm)]
    html = environment(lang).get_template(template).render(
        request=request, lang=lang, langs=LANGS, lang_names=LANG_NAMES, csrf=csrf,
        actor=actor, nav=nav, path=request.url.path, **context,
    )  # fmt: skip
    response = HTMLResponse(html, status)
    set_csrf_cookie(request, response)
    # Pages show personal data: never kept by a shared cache or the browser's history store.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    return response


def set_csrf_cookie(request: Request, response: Any) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")  # fmt: skip

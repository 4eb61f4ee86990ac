"""The web pages' route class: refusals and domain errors become pages, not JSON.

Only the web router uses it, so the API keeps its own error answers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from scamnet.core.errors import DomainError, RateLimited
from scamnet.web.render import page


def _message(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else str(exc)
    return str(text).strip("'\"")


SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
WHY_COOKIE = "scamnet_why"  # the reader's stated purpose (web/purpose.py)


class NeedPurpose(Exception):
    """A page with personal data was asked for before the reader said why."""


def local_path(back: str) -> str:
    """``back`` if it is a path of this site, else the dashboard (no open redirect)."""
    return back if back.startswith("/") and not back.startswith("//") else "/"


class WebRoute(APIRoute):
    """An HTML route: a missing login goes to the login page; a refusal, a missing
    record or bad input is shown as a page with the reason in one line."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                if request.method not in SAFE and "form" in request.headers.get("content-type", ""):
                    # The API's CSRF check reads a form's token from here (double submit).
                    form = await request.form()
                    request.state.csrf_form = str(form.get("csrf_token") or "")
                return await handler(request)
            except HTTPException as exc:
                if exc.status_code == 401:
                    # A browser is sent to the login page; any other client is told 401.
                    if "text/html" in request.headers.get("accept", ""):
                        return RedirectResponse("/login", 303)
                    return _error(request, 401, str(exc.detail))
                return _error(request, exc.status_code, str(exc.detail))
            except NeedPurpose:
                # Ask why, then come back; the page's address is an opaque id.
                back = request.url.path if request.method in SAFE else "/"
                return RedirectResponse(f"/purpose?back={quote(back)}", 303)
            except LookupError as exc:  # NotFound
                return _error(request, 404, _message(exc))
            except RateLimited as exc:
                return _error(request, 429, _message(exc))
            except PermissionError as exc:  # NotAllowed
                return _error(request, 403, _message(exc))
            except (DomainError, ValueError) as exc:
                return _error(request, 400, _message(exc))

        return run


def _error(request: Request, status: int, reason: str) -> Response:
    return page(request, "error.html", status=status, code=status, reason=reason)

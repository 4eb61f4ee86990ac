"""Authorisation that cannot be forgotten: every route declares what it needs.

A route depends on exactly one of:

- ``require(permission)``: a logged-in actor holding the permission. The token comes
  from ``Authorization: Bearer`` or, for the web UI, the session cookie; a
  cookie-authenticated unsafe request must also carry the CSRF token (double submit).
  With ``personal=True`` the request must say why (``why``: a case or legal basis).
- ``public()``: no login (health, the citizens' check and report, the login itself).
- ``signed()``: the exchange, where the bundle's Ed25519 signature authenticates.

`tests/api/test_authorisation.py` fails for a route that declares none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Query, Request
from sqlalchemy.orm import Session

from scamnet.api.deps import SESSION, get_store
from scamnet.core.access import Actor, Permission
from scamnet.core.errors import NotAuthenticated
from scamnet.store import Store

SESSION_COOKIE = "scamnet_session"
CSRF_COOKIE = "scamnet_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_WHY = 500

DECLARED = "__scamnet_access__"  # the attribute the route check reads


def _token_of(request: Request, authorization: str | None) -> tuple[str, bool]:
    """The presented token and whether it came from the session cookie."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HTTPException(
                401, "use Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
            )
        return value.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, True
    raise HTTPException(
        401,
        "log in first: POST /v1/login, then send the token as Authorization: Bearer <token>",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _csrf_of(request: Request, from_cookie: bool) -> str | None:
    """The CSRF token to check: only cookie-authenticated unsafe requests carry one."""
    if not from_cookie or request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER) or getattr(request.state, "csrf_form", None)
    if not sent or sent != request.cookies.get(CSRF_COOKIE):
        raise HTTPException(403, "missing or wrong CSRF token")
    return str(sent)


def presented_token(request: Request) -> str:
    """The token this request authenticated with (after ``require`` accepted it)."""
    token, _ = _token_of(request, request.headers.get("authorization"))
    return token


def _authenticate(session: Session, token: str, csrf: str | None) -> Actor:
    try:
        from scamnet.security.auth import authenticate

        return authenticate(session, token, csrf)
    except NotAuthenticated as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None


def permitted(session: Session, token: str, csrf: str | None, permission: Permission,
              personal: bool, why: str | None) -> Actor:  # fmt: skip
    """The actor behind ``token`` if it holds ``permission`` (and gave a reason, if
    ``personal``); else the HTTPException the route answers. Every route's dependency
    (`require`) and the alert list's early answer (`scamnet.api.alertlist`) decide here."""
    actor = _authenticate(session, token, csrf)
    if not actor.may(permission):
        roles = ", ".join(sorted(actor.roles)) or "none"
        raise HTTPException(403, f"your roles ({roles}) do not grant {permission.value}")
    reason = (why or "").strip()
    if personal and not reason:
        raise HTTPException(400, "say why you read personal data: ?why=<case or legal basis>")
    return Actor(actor.user, actor.agency, actor.roles, actor.scope, reason)


def require(permission: Permission, personal: bool = False) -> Callable[..., Actor]:
    """The dependency of a route that needs ``permission`` (and a reason, if ``personal``)."""

    def dependency(
        request: Request,
        session: Annotated[Session, SESSION],
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
        why: Annotated[
            str | None,
            Query(
                max_length=MAX_WHY,
                description="The case or legal basis for reading "
                "personal data (recorded in the audit log).",
            ),
        ] = None,
    ) -> Actor:
        token, from_cookie = _token_of(request, authorization)
        csrf = _csrf_of(request, from_cookie)
        return permitted(session, token, csrf, permission, personal, why)

    setattr(dependency, DECLARED, ("require", permission.value, personal))
    return dependency


def require_briefly(permission: Permission) -> Callable[..., Actor]:
    """``require`` for a route that waits long after it is authorised (a pushed batch
    waits for its group's commit and scoring): the token is read in a unit of work of
    its own, closed at once. With ``require`` the route held a pooled connection until
    it answered, and as many batches waiting as the pool holds made every later
    request wait for a connection before it was even authorised."""

    def dependency(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Actor:
        token, from_cookie = _token_of(request, authorization)
        csrf = _csrf_of(request, from_cookie)
        with store.session() as session:
            return permitted(session, token, csrf, permission, False, None)

    setattr(dependency, DECLARED, ("require", permission.value, False))
    return dependency


def public() -> Callable[[], Any]:
    """The dependency of a route anyone may call (async: no hop to the thread pool)."""

    async def dependency() -> None:
        return None

    setattr(dependency, DECLARED, ("public", None, False))
    return dependency


def signed() -> Callable[[], Any]:
    """The dependency of an exchange route, authenticated by the bundle's signature."""

    async def dependency() -> None:
        return None

    setattr(dependency, DECLARED, ("signed", None, False))
    return dependency


def declared(route_dependant: Any) -> list[tuple[str, str | None, bool]]:
    """The access declarations among a route's dependencies (recursively)."""
    found: list[tuple[str, str | None, bool]] = []
    stack = [route_dependant]
    while stack:
        dep = stack.pop()
        call = getattr(dep, "call", None)
        if call is not None and hasattr(call, DECLARED):
            found.append(getattr(call, DECLARED))
        stack.extend(getattr(dep, "dependencies", []))
    return found


def effective_routes(app: Any) -> list[Any]:
    """Every route the app serves with its full dependencies (router-level ones included).

    FastAPI 0.16x keeps included routers lazily; their effective routes carry the
    combined dependencies. Each item has ``path``, ``methods``, ``dependant`` and
    ``include_in_schema``.
    """
    out: list[Any] = []
    stack = list(app.routes)
    while stack:
        route = stack.pop(0)
        if hasattr(route, "effective_candidates"):
            stack[:0] = list(route.effective_candidates())
        elif hasattr(route, "dependant") and getattr(route, "methods", None):
            out.append(route)
    return out

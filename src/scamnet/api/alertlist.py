"""The alert list answered before routing: one hop to the thread pool instead of four.

``GET /v1/alerts`` is what an analysts' room asks most, and under 32 analysts its p99 was
a queue behind ~10 ms of the server's time per list. FastAPI's share of that was the
routing, the validation of eleven query parameters, and four hops to the thread pool
(the session's entry and exit, the authorisation dependency, the route), each waiting
for the interpreter under load. This ASGI layer answers a plain, well-formed list with
the same steps in one hop:

- the same unit of work (`scamnet.store.Store.session`), committed before the answer;
- the same authentication and permission check (`scamnet.api.auth.permitted`, which
  the route's `require` dependency calls too): one statement, nothing cached;
- the same use case (`scamnet.detect.triage.list_alerts`): the same page, and the same
  audited read, committed before anything is sent;
- the same bytes (`scamnet.api.paging.json_body`) and headers.

It takes only what it can read exactly as the route would: a bearer token in one
``Authorization`` header, and each known query parameter at most once, written plainly
(digits, one of the listed words, ``true``/``false``), within the route's limits.
Anything else goes on to the route unchanged, which answers as it always did: no token
or a cookie, an unknown or refused token, a role without the permission (so every 401
and 403 still has one source), an unusual parameter. It sits inside `BodyLimits`, so a
body is held to the same limits first (the route ignores one). An error
raised once the list has begun (a locked store) is answered by the app's own exception
handlers, as the route's would be. `tests/api/test_alert_list_early.py` holds its
answers and audit entries to the route's.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from anyio import to_thread
from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from scamnet.api.auth import MAX_WHY, permitted
from scamnet.api.paging import MAX_PAGE, json_body
from scamnet.core.access import Actor, Permission
from scamnet.store import Store
from scamnet.store.alerts import AlertQuery

PATH = "/v1/alerts"
_HEADERS = [(b"content-type", b"application/json")]
_DIGITS = re.compile(r"0|[1-9][0-9]{0,18}")  # no sign, no leading zero, no space
_SCORE = re.compile(r"[01](\.[0-9]{1,17})?")
_KINDS = frozenset({"subscriber", "message", "url", "account"})
_STATUSES = frozenset({"open", "confirmed", "false_positive", "needs_review"})
_SORTS = frozenset({"score", "created", "id"})
_BOOLS = {"true": True, "false": False}
_MAX_OFFSET = 10**9  # `scamnet.api.paging.Offset`
_MAX_GROUP = 2**62  # `scamnet.api.routes.alerts.list_alerts`'s ``group``
_MAX_WINDOW, _MAX_ASSIGNEE = 32, 64
_KNOWN = frozenset({"limit", "offset", "kind", "min_score", "window", "status", "assignee",
                    "group", "sort", "ascending", "why"})  # fmt: skip

# The app's exception handlers, as Starlette keeps them (each may be sync or async).
Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def _int(raw: str, low: int, high: int) -> int | None:
    if not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def parse(query_string: bytes) -> tuple[AlertQuery, str | None] | None:
    """The route's query and ``why`` from a plain query string, or None to leave it to the
    route (anything it might read otherwise, or refuse)."""
    # As Starlette reads it (`starlette.datastructures.QueryParams`).
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    given = dict(pairs)
    if len(given) != len(pairs) or not given.keys() <= _KNOWN:
        return None
    if any(not v for v in given.values()):
        return None
    limit = _int(given.get("limit", "50"), 1, MAX_PAGE)
    offset = _int(given.get("offset", "0"), 0, _MAX_OFFSET)
    group = _int(given["group"], 1, _MAX_GROUP) if "group" in given else None
    if limit is None or offset is None or ("group" in given and group is None):
        return None
    min_score = None
    if "min_score" in given:
        if not _SCORE.fullmatch(given["min_score"]):
            return None
        min_score = float(given["min_score"])
        if not 0 <= min_score <= 1:
            return None
    kind, status = given.get("kind"), given.get("status")
    sort, ascending = given.get("sort", "score"), _BOOLS.get(given.get("ascending", "false"))
    window, assignee, why = given.get("window"), given.get("assignee"), given.get("why")
    if (
        (kind is not None and kind not in _KINDS)
        or (status is not None and status not in _STATUSES)
        or sort not in _SORTS
        or ascending is None
        or (window is not None and len(window) > _MAX_WINDOW)
        or (assignee is not None and len(assignee) > _MAX_ASSIGNEE)
        or (why is not None and len(why) > MAX_WHY)
    ):
        return None
    query = AlertQuery(kind, min_score, window, status, assignee, group, sort, not ascending,
                       limit, offset)  # fmt: skip
    return query, why


def bearer(scope: Scope) -> str | None:
    """The token of the request's one ``Authorization: Bearer`` header, else None."""
    found = [v for k, v in scope["headers"] if k == b"authorization"]
    if len(found) != 1:
        return None
    scheme, _, value = found[0].decode("latin-1").partition(" ")
    token = value.strip()
    return token if scheme.lower() == "bearer" and token else None


class AlertLists:
    """ASGI middleware: answer a well-formed, permitted ``GET /v1/alerts`` itself."""

    def __init__(self, app: ASGIApp, store: Store, handlers: Mapping[Any, Handler]) -> None:
        self.app = app
        self.store = store
        self.handlers = handlers  # the app's exception handlers (read when one is needed)
        self.answered = 0  # lists answered here, for tests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = self._asked(scope)
        if asked is None:
            await self.app(scope, receive, send)
            return
        try:
            body = await to_thread.run_sync(self._list, *asked)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise  # as from the route: the server's error middleware answers 500
            response = handler(Request(scope, receive), exc)
            if not isinstance(response, Response):
                response = await response
            await response(scope, receive, send)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        self.answered += 1
        headers = [(b"content-length", str(len(body)).encode()), *_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _asked(scope: Scope) -> tuple[str, AlertQuery, str | None] | None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != PATH:
            return None
        if scope.get("root_path"):
            return None
        token = bearer(scope)
        parsed = parse(scope.get("query_string", b"")) if token else None
        if token is None or parsed is None:
            return None
        return token, *parsed

    def _list(self, token: str, query: AlertQuery, why: str | None) -> bytes | None:
        """The page's bytes, or None when the route must answer (401 or 403)."""
        from scamnet.detect import triage

        with self.store.session() as session:
            try:
                actor: Actor = permitted(session, token, None, Permission.ALERTS_READ,
                                         False, why)  # fmt: skip
            except HTTPException:
                return None
            page = triage.list_alerts(session, actor, query)
        return json_body(page)

    def _handler(self, exc: Exception) -> Handler | None:
        for kind in type(exc).__mro__:  # as Starlette's ExceptionMiddleware looks them up
            if kind is Exception:  # the server's error middleware's, not the routes'
                return None
            if kind in self.handlers:
                return self.handlers[kind]
        return None

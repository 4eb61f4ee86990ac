"""The public check's remembered answers, sent before any routing.

A check asked less than the memory's time ago (`scamnet.citizens.service.CheckCache`)
needs no query, no parsing and no validation: the route already did all three when it
first answered, and only a valid question is remembered. Going through FastAPI for it
still cost about 0.7 ms of a remembered answer's 1 ms (routing, the dependencies, the
body-limit middleware): most of the busiest public route's time. This ASGI layer sits
outside all of that and answers such a question itself, with the same bytes the route
sends; anything else (a new question, another method or path) goes on unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from starlette.types import ASGIApp, Receive, Scope, Send

from scamnet.citizens.service import CheckCache, CheckResult

PREFIX = "/v1/check/"
_HEADERS = [(b"content-type", b"application/json")]


def encoded(result: CheckResult) -> bytes:
    """The check's answer as the API sends it (`scamnet.api.routes.citizens.CheckAnswer`)."""
    return json.dumps(asdict(result), ensure_ascii=False, separators=(",", ":")).encode()


class RememberedChecks:
    """ASGI middleware: answer a remembered ``GET /v1/check/{kind}/{value}`` at once."""

    def __init__(self, app: ASGIApp, checks: CheckCache) -> None:
        self.app = app
        self.checks = checks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._remembered(scope)
        if body is None:
            await self.app(scope, receive, send)
            return
        headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _remembered(self, scope: Scope) -> bytes | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if not path.startswith(PREFIX) or scope.get("root_path"):
            return None
        kind, _, value = path[len(PREFIX) :].partition("/")
        # The same key the route remembers under: its kind and raw value parameters.
        return self.checks.encoded(kind, value, encoded) if value else None

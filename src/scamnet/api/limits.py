"""Limits on request bodies, before any route parses them: size, and JSON nesting depth.

Python's JSON parser recurses: a body of 100,000 opening brackets would raise a
RecursionError deep inside the framework. Such a body, or one past the size limit,
is answered 422 or 413 here and never reaches a route.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_BYTES = 1024 * 1024
MAX_DEPTH = 32
# Routes that read their own (larger) body with a limit.
_UPLOADS = (
    "/v1/handovers",
    "/v1/jobs/ingest",
    "/v1/jobs/model-",
    "/v1/jobs/stream-watch",
    "/v1/jobs/report-press",
)


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than ``limit``."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class BodyLimits:
    """ASGI middleware: JSON bodies of /v1 routes within size and depth."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path.startswith(_UPLOADS):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                await _answer(send, 413, f"the body is larger than {MAX_JSON_BYTES} bytes")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if too_deep(body):
            await _answer(send, 422, f"JSON nested deeper than {MAX_DEPTH} levels")
            return
        replayed = _replay([{"type": "http.request", "body": body, "more_body": False}], receive)
        await self.app(scope, replayed, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``messages`` first, then the connection's own ``receive``: a streamed response
    (a file download) listens for the client's disconnect, and must not be told at once
    that the client has gone."""
    queue = list(messages)

    async def replay() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replay


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers: list[Any] = [(b"content-type", b"application/json"),
                          (b"content-length", str(len(body)).encode())]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

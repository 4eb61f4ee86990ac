"""The public check, answered before any routing: remembered or read in one statement.

The check is the busiest public route, and FastAPI's share of it (routing, the
dependencies, parameter validation, the body-limit middleware, the hop to the thread
pool) cost about 0.7 ms, where the bare endpoint it is held against takes a fraction
of that. This ASGI layer sits outside all of that and answers a well-formed
``GET /v1/check/{kind}/{value}`` itself:

- a question asked less than the memory's time ago (`scamnet.citizens.service.CheckCache`)
  with the bytes kept from its first answer;
- any other through the store's light read path (`scamnet.store.checkreads`): one
  statement, no unit of work. On SQLite it runs on the event loop (a WAL read never
  waits for the writer: about 20 µs, less than a hop to the thread pool); on
  PostgreSQL it is a network round trip, awaited on the event loop through libpq
  connections in non-blocking mode (the thread-pool hop cost more than the round trip).

Anything else goes on to the app unchanged: another method or path, an unknown kind,
a value the route would refuse (the identifier does not parse, it is too long) and a
read that failed (the store is locked or down). The route then answers as it always
did, with its validation errors and its 503, so every error has one source.
"""

from __future__ import annotations

import json

import orjson
from anyio import to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from scamnet.citizens.service import PUBLIC_KINDS, CheckCache, CheckResult
from scamnet.core.errors import DomainError
from scamnet.store.checkreads import CheckReads

PREFIX = "/v1/check/"
MAX_VALUE = 2048  # the route's limit on the value (`scamnet.api.routes.citizens.check`)
_HEADERS = [(b"content-type", b"application/json")]


def encoded(result: CheckResult) -> bytes:
    """The check's answer as the API sends it (`scamnet.api.routes.citizens.CheckAnswer`).

    orjson writes the dataclass's fields in order, in C: a tenth of ``json.dumps``'s
    time, and every cold check pays it on the event loop. The bytes are the standard
    library's (`tests/api/test_check_tail.py` holds the two equal for any text).
    """
    try:
        return orjson.dumps(result)
    except TypeError:  # text orjson refuses (a lone surrogate): the standard library decides
        return _encoded_by_json(result)


def _encoded_by_json(result: CheckResult) -> bytes:
    # The fields in the dataclass's order; dataclasses.asdict would deep-copy them first.
    plain = {
        "kind": result.kind, "value": result.value, "risk": result.risk,
        "summary": result.summary, "reasons": result.reasons, "advice": result.advice,
    }  # fmt: skip
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()


class PublicChecks:
    """ASGI middleware: answer a well-formed ``GET /v1/check/{kind}/{value}`` at once.

    Without ``reads`` only remembered answers are given here (the rest go to the route).
    """

    def __init__(self, app: ASGIApp, checks: CheckCache, reads: CheckReads | None = None) -> None:
        self.app = app
        self.checks = checks
        self.reads = reads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        question = self._question(scope)
        body = None
        if question is not None:
            body = self.checks.encoded(*question, encoded)
            if body is None and self.reads is not None:
                body = await self._read(*question)
        if body is None:
            await self.app(scope, receive, send)
            return
        headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _question(scope: Scope) -> tuple[str, str] | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if not path.startswith(PREFIX) or scope.get("root_path"):
            return None
        # The same key the route remembers under: its kind and raw value parameters.
        kind, _, value = path[len(PREFIX) :].partition("/")
        return (kind, value) if value else None

    async def _read(self, kind: str, value: str) -> bytes | None:
        """The answer read from the store, or None to leave the question to the route."""
        reads = self.reads
        if reads is None or kind not in PUBLIC_KINDS or len(value) > MAX_VALUE:
            return None
        try:
            if reads.inline:
                result = self.checks.check_facts(reads, kind, value)
            elif reads.asynchronous:
                result = await self.checks.acheck_facts(reads, kind, value)
            else:
                result = await to_thread.run_sync(self.checks.check_facts, reads, kind, value)
        except DomainError:
            return None  # the route gives the error, worded as for every other route
        except reads.errors:
            return None  # the route reads again, and answers 503 if the store is still busy
        return self.checks.encoded(kind, value, encoded) or encoded(result)

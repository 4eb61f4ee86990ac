"""Domain errors as HTTP answers: one place, so every route answers them alike."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from scamnet.core.errors import DomainError, NotAllowed, NotAuthenticated, NotFound, RateLimited


def _answer(status: int, exc: Exception, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": str(exc)[:2000]}, status, headers=headers)


async def _not_found(_r: Request, exc: Exception) -> JSONResponse:
    return _answer(404, exc)


async def _not_allowed(_r: Request, exc: Exception) -> JSONResponse:
    return _answer(403, exc)


async def _not_authenticated(_r: Request, exc: Exception) -> JSONResponse:
    return _answer(401, exc, {"WWW-Authenticate": "Bearer"})


async def _rate_limited(_r: Request, exc: Exception) -> JSONResponse:
    retry = exc.retry_after_s if isinstance(exc, RateLimited) else 60
    return _answer(429, exc, {"Retry-After": str(retry)})


async def _invalid(_r: Request, exc: Exception) -> JSONResponse:
    problems = getattr(exc, "problems", None)
    body: dict[str, object] = {"detail": str(exc)[:2000]}
    if problems:
        body["problems"] = problems  # a manifest: every bad line, not only the first ten
    return JSONResponse(body, 422)


def install_error_handlers(app: FastAPI) -> None:
    # Handlers are found by the exception's class hierarchy: the registry's NoModel is
    # a LookupError and the users' UserError a DomainError, so neither module (nor
    # scikit-learn, which the registry imports) is loaded to start the server.
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(LookupError, _not_found)
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(DomainError, _invalid)

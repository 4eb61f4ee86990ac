"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from scamnet import __version__, web
from scamnet.api import exchange
from scamnet.api.deps import SessionDep, StoreDep
from scamnet.exchange.schema import openapi_schemas
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.limits import StoreUnavailable, is_locked, wait_briefly_for_locks


class Health(BaseModel):
    status: str
    version: str
    schema_revision: str | None


class AgencyPublic(BaseModel):
    code: str
    name: str
    level: str
    country: str
    parent_code: str | None


def health(store: StoreDep) -> Health:
    """Liveness, version and the schema revision of the store."""
    return Health(status="ok", version=__version__, schema_revision=store.current_revision())


def agencies(session: SessionDep) -> list[AgencyPublic]:
    """The agencies this instance knows (public reference data)."""
    return [
        AgencyPublic(
            code=a.code, name=a.name, level=a.level.value, country=a.country,
            parent_code=a.parent_code,
        )
        for a in AgencyRepository(session).all()
    ]  # fmt: skip


# How long a request waits for SQLite's write lock before it is told to come back:
# short, so a locked store answers 503 at once instead of holding a worker.
BUSY_TIMEOUT_MS = 1000
BODY_TIMEOUT_S = 30.0
RETRY_AFTER_S = "2"


async def _store_busy(_request: Request, exc: Exception) -> JSONResponse:
    """A locked or unreachable store is a temporary condition, never a 500."""
    if is_locked(exc):
        detail = "the store is busy; retry shortly"
    else:
        detail = "the store is unavailable; retry shortly"
    return JSONResponse(
        {"detail": detail, "rule": "busy"}, 503, headers={"Retry-After": RETRY_AFTER_S}
    )


def create_app(
    store: Store, data_dir: Path | None = None, body_timeout: float = BODY_TIMEOUT_S
) -> FastAPI:
    """Build the API over ``store``; ``data_dir`` holds the instance's exchange identity.

    ``body_timeout`` is how long a client may take to send a request body.
    """
    app = FastAPI(title="scamnet", version=__version__)
    app.state.store = store
    app.state.data_dir = data_dir
    app.state.body_timeout = body_timeout
    wait_briefly_for_locks(store, BUSY_TIMEOUT_MS)
    app.add_exception_handler(StoreUnavailable, _store_busy)
    app.include_router(exchange.router)
    app.get("/api/health")(health)
    app.get("/api/agencies")(agencies)
    web.mount(app)

    def openapi() -> dict[str, Any]:
        """The generated OpenAPI, with the JSON Schemas of bundles and their payloads."""
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
            spec.setdefault("components", {}).setdefault("schemas", {}).update(openapi_schemas())
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

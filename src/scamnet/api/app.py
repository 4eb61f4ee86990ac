"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from scamnet import __version__
from scamnet.api import exchange
from scamnet.api.deps import SessionDep, StoreDep
from scamnet.exchange.schema import openapi_schemas
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository


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


def _short_busy_timeout(engine: Engine) -> None:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    event.listen(engine, "connect", on_connect)
    engine.dispose()  # pooled connections were opened with the longer timeout


async def _store_busy(_request: Request, exc: Exception) -> JSONResponse:
    """A locked or unreachable store is a temporary condition, never a 500."""
    text = str(getattr(exc, "orig", exc)).splitlines()[0] if str(exc) else type(exc).__name__
    if "locked" in text or "busy" in text or "could not obtain lock" in text:
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
    if store.dialect == "sqlite":
        _short_busy_timeout(store.engine)
    app.add_exception_handler(OperationalError, _store_busy)
    app.include_router(exchange.router)
    app.get("/api/health")(health)
    app.get("/api/agencies")(agencies)

    def openapi() -> dict[str, Any]:
        """The generated OpenAPI, with the JSON Schemas of bundles and their payloads."""
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
            spec.setdefault("components", {}).setdefault("schemas", {}).update(openapi_schemas())
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

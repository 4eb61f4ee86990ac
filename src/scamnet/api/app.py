"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from scamnet import __version__, web
from scamnet.api import exchange
from scamnet.api.alertlist import AlertLists
from scamnet.api.auth import public
from scamnet.api.checks import PublicChecks
from scamnet.api.deps import SessionDep, StoreDep
from scamnet.api.errors import install_error_handlers
from scamnet.api.limits import BodyLimits
from scamnet.api.routes import (
    access,
    alerts,
    cases,
    citizens,
    dissuasion,
    jobs,
    network,
    records,
    reports,
)
from scamnet.api.routes import exchange as exchange_admin
from scamnet.citizens.service import CheckCache
from scamnet.exchange.schema import openapi_schemas
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.checkreads import CheckReads
from scamnet.store.limits import StoreUnavailable, is_locked, wait_briefly_for_locks

STATIC = Path(__file__).parent / "static"


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


def _docs() -> HTMLResponse:
    """Swagger UI from the vendored assets: it works on an air-gapped network."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="scamnet API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
    )  # fmt: skip


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """With ``run_jobs``, the jobs' worker thread runs while the app does (it first marks
    the jobs a stopped server left running as interrupted)."""
    worker = None
    if app.state.run_jobs and app.state.settings is not None:
        from scamnet.jobs.worker import JobWorker

        worker = JobWorker(app.state.settings, app.state.store)
        worker.start()
        app.state.jobs = worker
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
        if app.state.check_reads is not None:
            app.state.check_reads.close()


def create_app(
    store: Store,
    data_dir: Path | None = None,
    body_timeout: float = BODY_TIMEOUT_S,
    settings: Settings | None = None,
    run_jobs: bool = False,
) -> FastAPI:
    """Build the API over ``store``; ``data_dir`` holds the instance's exchange identity.

    ``body_timeout`` is how long a client may take to send a request body. With
    ``run_jobs`` (``scamnet serve``) the app runs the submitted jobs in a worker thread;
    without it they wait in the queue for a server that does.
    """
    app = FastAPI(title="scamnet", version=__version__, docs_url=None, redoc_url=None,
                  lifespan=_lifespan)  # fmt: skip
    app.state.run_jobs = run_jobs
    app.state.jobs = None
    app.state.store = store
    app.state.data_dir = data_dir
    if settings is None and data_dir is not None:
        settings = Settings(data_dir=data_dir, database_url=store.url)
    app.state.settings = settings
    app.state.body_timeout = body_timeout
    app.state.checks = CheckCache() if settings is None else CheckCache(settings.check_cache_s)
    wait_briefly_for_locks(store, BUSY_TIMEOUT_MS)
    app.add_exception_handler(StoreUnavailable, _store_busy)
    install_error_handlers(app)
    # Innermost of the three: a plain, permitted alert list is answered in one hop to
    # the thread pool, after the body limits, with the app's exception handlers.
    app.add_middleware(AlertLists, store=store, handlers=app.exception_handlers)
    app.add_middleware(BodyLimits)
    app.state.check_reads = CheckReads.open(store)
    # Outermost (added last): a well-formed check is answered before anything else runs.
    app.add_middleware(PublicChecks, checks=app.state.checks, reads=app.state.check_reads)
    # Routes are matched in order, one by one: the public check, the busiest route,
    # comes first (no other path overlaps it, so the order changes nothing else).
    app.include_router(citizens.router)
    app.include_router(exchange.router)
    for module in (access, alerts, network, cases, reports, records, dissuasion, jobs):
        app.include_router(module.router)
    app.include_router(jobs.rejects_router)
    app.include_router(exchange_admin.router)
    open_route = [Depends(public())]
    app.get("/api/health", dependencies=open_route)(health)
    app.get("/api/agencies", dependencies=open_route)(agencies)
    app.get("/v1/agencies", dependencies=open_route)(agencies)
    app.get("/docs", include_in_schema=False, dependencies=open_route)(_docs)
    app.mount("/static/swagger-ui", StaticFiles(directory=STATIC / "swagger-ui"), name="swagger")
    web.mount(app)
    if not any(getattr(r, "path", None) == "/" for r in app.routes):

        def root() -> RedirectResponse:
            return RedirectResponse("/docs")

        app.get("/", include_in_schema=False, dependencies=open_route)(root)

    def openapi() -> dict[str, Any]:
        """The generated OpenAPI, with the JSON Schemas of bundles and their payloads."""
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
            spec.setdefault("components", {}).setdefault("schemas", {}).update(openapi_schemas())
            spec["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

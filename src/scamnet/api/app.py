"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pydantic import BaseModel

from scamnet import __version__
from scamnet.api import exchange
from scamnet.api.deps import SessionDep, StoreDep
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


def create_app(store: Store, data_dir: Path | None = None) -> FastAPI:
    """Build the API over ``store``; ``data_dir`` holds the instance's exchange identity."""
    app = FastAPI(title="scamnet", version=__version__)
    app.state.store = store
    app.state.data_dir = data_dir
    app.include_router(exchange.router)
    app.get("/api/health")(health)
    app.get("/api/agencies")(agencies)
    return app

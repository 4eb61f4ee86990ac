"""Typed dependency aliases shared by the routers (as in the FastAPI full-stack template)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from scamnet.settings import Settings
from scamnet.store import Store


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_session(store: Annotated[Store, Depends(get_store)]) -> Iterator[Session]:
    with store.session() as session:
        yield session


StoreDep = Annotated[Store, Depends(get_store)]
# "function" scope: the session commits when the route returns, before the response
# is sent. With the default ("request"), a client that follows a redirect or reads
# back at once (a login's 303, then its first page) could ask before the commit.
SESSION = Depends(get_session, scope="function")
SessionDep = Annotated[Session, SESSION]


async def get_settings(request: Request) -> Settings:
    settings: Settings | None = request.app.state.settings
    if settings is None:
        raise HTTPException(503, "this server was started without a data directory")
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

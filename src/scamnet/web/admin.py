"""Administration: this instance's identity, the agencies, and the exchange outbox (what
waits for a partner's acknowledgement). Admins only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from scamnet.api.deps import SessionDep, StoreDep
from scamnet.exchange.delivery import queued
from scamnet.exchange.keys import NoIdentity, load_instance
from scamnet.store.agencies import AgencyRepository
from scamnet.web.groups import settings_of
from scamnet.web.guard import UsersAdmin
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)


@router.get("/admin")
def admin(request: Request, session: SessionDep, store: StoreDep, actor: UsersAdmin) -> Response:
    try:
        me = load_instance(settings_of(request, store).data_dir)
        identity: tuple[str, str] | None = (me.agency, me.public_key)
    except NoIdentity:
        identity = None
    return page(
        request, "admin.html", actor, identity=identity,
        agencies=AgencyRepository(session).all(), outbox=queued(store, every=True),
    )  # fmt: skip

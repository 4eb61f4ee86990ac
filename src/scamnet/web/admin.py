"""Administration: this instance's identity, the agencies, the users (add, disable,
roles), the partners' keys and the exchange outbox (what waits for a partner's
acknowledgement). Admins only; every change is a posted form with the CSRF token and
goes through the use case the CLI calls (which checks the permission and audits)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from scamnet.api.deps import SessionDep, StoreDep
from scamnet.core.access import UserRole
from scamnet.exchange import partners
from scamnet.exchange.delivery import queued
from scamnet.exchange.keys import NoIdentity, load_instance
from scamnet.security import users
from scamnet.store.agencies import AgencyRepository
from scamnet.web.groups import settings_of
from scamnet.web.guard import UsersAdmin
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
Username = Annotated[str, Form(min_length=1, max_length=64)]


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
        users=users.list_users(session, actor), partners=partners.list_partners(session, actor),
        user_roles=list(UserRole),
    )  # fmt: skip


def _roles(chosen: list[str]) -> frozenset[UserRole]:
    if not chosen:
        raise ValueError("give the user at least one role")
    return frozenset(UserRole(r) for r in chosen)


@router.post("/admin/users")
def add_user(
    session: SessionDep,
    actor: UsersAdmin,
    username: Username,
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    agency: Annotated[str, Form(min_length=1, max_length=64)],
    roles: Annotated[list[str], Form()],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    users.add_user(session, actor, username.strip(), password, _roles(roles), agency,
                   display_name.strip())  # fmt: skip
    return RedirectResponse("/admin#users", 303)


@router.post("/admin/users/active")
def set_active(
    session: SessionDep,
    actor: UsersAdmin,
    username: Username,
    active: Annotated[str, Form(pattern="^(yes|no)$")],
) -> Response:
    """Disable (which ends the user's sessions) or enable an account."""
    users.set_active(session, actor, username, active == "yes")
    return RedirectResponse("/admin#users", 303)


@router.post("/admin/users/roles")
def set_roles(
    session: SessionDep, actor: UsersAdmin, username: Username,
    roles: Annotated[list[str], Form()],
) -> Response:  # fmt: skip
    users.set_roles(session, actor, username, _roles(roles))
    return RedirectResponse("/admin#users", 303)


@router.post("/admin/partners")
def register_partner(
    session: SessionDep,
    actor: UsersAdmin,
    agency: Annotated[str, Form(min_length=1, max_length=64)],
    public_key: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """Register (or rotate) a partner's key, exchanged out of band and checked by phone."""
    partners.register_partner(session, actor, agency, public_key)
    return RedirectResponse("/admin#partners", 303)

"""Login, logout, the current user, users, tokens, sharing rules and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from scamnet.api.auth import public, require
from scamnet.api.deps import SessionDep
from scamnet.api.paging import as_json
from scamnet.core.access import Actor, Permission, UserRole
from scamnet.core.handling import HandlingCode

router = APIRouter(prefix="/v1", tags=["access"])
P = Permission
Anyone = Annotated[Actor, Depends(require(P.STATS_READ))]
Admin = Annotated[Actor, Depends(require(P.USERS_ADMIN))]
Sharer = Annotated[Actor, Depends(require(P.SHARING_ADMIN))]
Auditor = Annotated[Actor, Depends(require(P.AUDIT_READ))]

Name = Annotated[str, Field(min_length=2, max_length=64)]
UserName = Annotated[str, PathParam(min_length=2, max_length=64)]
Secret = Annotated[str, Field(min_length=1, max_length=1024)]


class Login(BaseModel):
    username: Name
    password: Secret


class NewUser(BaseModel):
    username: Name
    password: Secret
    agency: Annotated[str, Field(min_length=1, max_length=64)]
    roles: Annotated[list[UserRole], Field(min_length=1, max_length=6)]
    display_name: Annotated[str, Field(max_length=200)] = ""


class Roles(BaseModel):
    roles: Annotated[list[UserRole], Field(min_length=1, max_length=6)]


class Password(BaseModel):
    password: Secret


class TokenRequest(BaseModel):
    username: Name
    label: Annotated[str, Field(max_length=64)] = "api"
    days: Annotated[int, Field(ge=1, le=365)] = 30


class TokenValue(BaseModel):
    token: Annotated[str, Field(min_length=1, max_length=200)]


class NewShare(BaseModel):
    owner: Annotated[str, Field(min_length=1, max_length=64)]
    grantee: Annotated[str, Field(min_length=1, max_length=64)]
    ceiling: HandlingCode = HandlingCode.H1


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", dependencies=[Depends(public())])
def login(body: Login, request: Request, session: SessionDep) -> dict[str, Any]:
    """Log in: a bearer token (12 h) and the CSRF token for cookie-based forms."""
    from scamnet.security.auth import login as run

    issued = run(session, body.username, body.password, client_of(request))
    a = issued.actor
    return {"token": issued.token, "csrf": issued.csrf, "expires_at": issued.expires_at,
            "user": a.user, "agency": a.agency, "roles": sorted(a.roles)}  # fmt: skip


@router.post("/logout")
def logout(actor: Anyone, request: Request, session: SessionDep) -> dict[str, bool]:
    """End this token's session."""
    from scamnet.api.auth import presented_token
    from scamnet.security.auth import logout as run

    return {"revoked": run(session, presented_token(request))}


@router.get("/me")
def me(actor: Anyone) -> dict[str, Any]:
    """Who you are: user, agency, roles, permissions and the agencies in your scope."""
    return {"user": actor.user, "agency": actor.agency, "roles": sorted(actor.roles),
            "permissions": sorted(actor.permissions), "scope": sorted(actor.scope)}  # fmt: skip


@router.get("/users")
def users(actor: Admin, session: SessionDep) -> list[Any]:
    from scamnet.security.users import list_users

    return as_json(list_users(session, actor))  # type: ignore[no-any-return]


@router.post("/users", status_code=201)
def add_user(body: NewUser, actor: Admin, session: SessionDep) -> Any:
    from scamnet.security.users import add_user as run

    return as_json(run(session, actor, body.username, body.password, frozenset(body.roles),
                       body.agency, body.display_name))  # fmt: skip


@router.post("/users/{username}/disable")
def disable(username: UserName, actor: Admin, session: SessionDep) -> Any:
    from scamnet.security.users import set_active

    return as_json(set_active(session, actor, username, False))


@router.post("/users/{username}/enable")
def enable(username: UserName, actor: Admin, session: SessionDep) -> Any:
    from scamnet.security.users import set_active

    return as_json(set_active(session, actor, username, True))


@router.put("/users/{username}/roles")
def set_roles(username: UserName, body: Roles, actor: Admin, session: SessionDep) -> Any:
    from scamnet.security.users import set_roles as run

    return as_json(run(session, actor, username, frozenset(body.roles)))


@router.put("/users/{username}/password")
def set_password(
    username: UserName, body: Password, actor: Anyone, session: SessionDep
) -> dict[str, str]:
    """Your own password, or anyone's as an admin; every session of the user ends."""
    from scamnet.security.users import set_password as run

    run(session, actor, username, body.password)
    return {"status": "changed"}


@router.post("/tokens", status_code=201)
def issue_token(body: TokenRequest, actor: Anyone, session: SessionDep) -> dict[str, Any]:
    """An API token for scripts (shown once; only its hash is kept)."""
    from scamnet.security.auth import issue_token as run

    issued = run(session, actor, body.username, body.label, body.days)
    return {"token": issued.token, "expires_at": issued.expires_at}


@router.post("/tokens/revoke")
def revoke_token(body: TokenValue, actor: Anyone, session: SessionDep) -> dict[str, bool]:
    from scamnet.security.auth import revoke_token as run

    return {"revoked": run(session, actor, body.token)}


@router.get("/shares")
def shares(actor: Sharer, session: SessionDep) -> list[Any]:
    from scamnet.security.sharing import list_shares

    return as_json(list_shares(session, actor))  # type: ignore[no-any-return]


@router.post("/shares", status_code=201)
def grant(body: NewShare, actor: Sharer, session: SessionDep) -> Any:
    from scamnet.security.sharing import grant as run

    return as_json(run(session, actor, body.owner, body.grantee, body.ceiling))


@router.delete("/shares/{share_id}")
def revoke_share(share_id: Annotated[int, PathParam(ge=1, le=2**31)], actor: Sharer,
                 session: SessionDep) -> Any:  # fmt: skip
    from scamnet.security.sharing import revoke

    return as_json(revoke(session, actor, share_id))


@router.get("/audit")
def audit_log(
    actor: Auditor,
    session: SessionDep,
    user: Annotated[str | None, Query(max_length=64)] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Any]:
    """Who did what: answers "who looked at this person?" (`subject=person:ID`)."""
    from scamnet.security.audit import search

    return as_json(search(session, actor, user, subject, limit))  # type: ignore[no-any-return]

"""Authorisation that cannot be forgotten: the matrix comes from the app's own routes.

Every route declares a permission, that it is public, or that a signature
authenticates it. Every route that needs a permission is tried with no token, with a
bad token, with a role that lacks the permission, and with one that has it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from scamnet.api.app import create_app
from scamnet.api.auth import declared, effective_routes
from scamnet.core.access import PERMISSIONS, Permission, UserRole
from scamnet.store import Store
from tests.api.conftest import USERS, Api
from tests.support.users import PASSWORD


def _routes() -> list[Any]:
    return effective_routes(create_app(Store("sqlite://")))


ROUTES = _routes()
GUARDED = [
    (route, method, decl)
    for route in ROUTES
    for method in sorted(route.methods)
    for decl in declared(route.dependant)
    if decl[0] == "require"
]


def _id(item: tuple[Any, str, Any]) -> str:
    return f"{item[1]} {item[0].path}"


def test_every_route_declares_its_access() -> None:
    missing = [f"{sorted(r.methods)} {r.path}" for r in ROUTES if len(declared(r.dependant)) != 1]
    assert missing == []
    assert len(GUARDED) >= 35  # the resources of docs/access.md


def test_the_openapi_covers_every_route() -> None:
    spec = create_app(Store("sqlite://")).openapi()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    for route in ROUTES:
        if route.include_in_schema:
            for method in route.methods:
                assert (method, route.path.replace(":path}", "}")) in documented


def _url(route: Any) -> str:
    return re.sub(r"\{([a-z_]+)(:path)?\}", "1", route.path)


def _lacking(permission: str) -> str | None:
    for name, (agency, roles) in USERS.items():
        if agency == "CN-YN-DH" and not any(
            Permission(permission) in PERMISSIONS[r] for r in roles
        ):
            return name
    return None


def _having(permission: str) -> str:
    for name, (agency, roles) in USERS.items():
        if (
            agency == "CN-YN-DH"
            and UserRole.ADMIN not in roles
            and any(Permission(permission) in PERMISSIONS[r] for r in roles)
        ):
            return name
    return "admin"


@pytest.mark.parametrize("item", GUARDED, ids=[_id(i) for i in GUARDED])
def test_the_matrix(api: Api, item: tuple[Any, str, tuple[str, str, bool]]) -> None:
    route, method, (_kind, permission, personal) = item
    url = _url(route)
    call = getattr(api.client, method.lower())
    kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    assert call(url, **kwargs).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert call(url, headers=bad, **kwargs).status_code == 401
    lacking = _lacking(permission)
    if lacking is not None:  # stats.read and bulletin.render belong to every role
        r = call(url, headers=api.as_(lacking), params={"why": "matrix"}, **kwargs)
        assert r.status_code == 403, (lacking, r.text)
    right = api.as_(_having(permission))
    if route.path == "/v1/logout":  # a fresh session, so the shared tokens stay live
        login = {"username": _having(permission), "password": PASSWORD}
        right = {
            "Authorization": f"Bearer {api.client.post('/v1/login', json=login).json()['token']}"
        }
    r = call(url, headers=right, params={"why": "matrix"}, **kwargs)
    assert r.status_code not in (401, 403), r.text
    if personal:
        r = call(url, headers=api.as_(_having(permission)), **kwargs)
        assert r.status_code == 400 and "why" in r.json()["detail"]

"""Logins, tokens, agency scopes, sharing, handling codes and the audit of reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from scamnet.core.access import UserRole
from tests.api.conftest import Api
from tests.support.users import PASSWORD, register


def _login(api: Api, user: str, password: str = PASSWORD) -> int:
    return api.client.post("/v1/login", json={"username": user, "password": password}).status_code


def test_wrong_passwords_lock_the_account_and_each_refusal_is_audited(api: Api) -> None:
    register(api.store, "victim.of.guessing", "CN-YN-DH", frozenset({UserRole.VIEWER}))
    assert _login(api, "victim.of.guessing") == 200
    for _ in range(5):
        assert _login(api, "victim.of.guessing", "wrong password!") == 401
    r = api.client.post("/v1/login", json={"username": "victim.of.guessing", "password": PASSWORD})
    assert r.status_code == 401 and "locked" in r.json()["detail"]
    audit = api.client.get("/v1/audit", params={"subject": "user:victim.of.guessing"},
                           headers=api.as_("supervisor")).json()  # fmt: skip
    assert sum(e["action"] == "login.refused" for e in audit) == 6
    # An unknown user is refused like a wrong password: no user enumeration.
    r = api.client.post("/v1/login", json={"username": "nobody.here", "password": "x" * 12})
    assert r.json()["detail"] == "wrong username or password"


def test_tokens_expire_are_revoked_and_die_with_a_disabled_user(api: Api) -> None:
    register(api.store, "short.lived", "CN-YN-DH", frozenset({UserRole.ANALYST}))
    token = api.client.post("/v1/tokens", json={"username": "short.lived", "days": 1},
                            headers=api.as_("admin")).json()["token"]  # fmt: skip
    mine = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/v1/me", headers=mine).json()["user"] == "short.lived"
    with api.store.session() as s:  # the clock moves past its expiry
        s.execute(text("UPDATE api_tokens SET expires_at = :t WHERE label = 'api'"),
                  {"t": datetime.now(UTC) - timedelta(seconds=1)})  # fmt: skip
    r = api.client.get("/v1/me", headers=mine)
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    token = api.client.post("/v1/tokens", json={"username": "short.lived"},
                            headers=api.as_("admin")).json()["token"]  # fmt: skip
    mine = {"Authorization": f"Bearer {token}"}
    assert api.client.post("/v1/users/short.lived/disable", headers=api.as_("admin")).is_success
    assert api.client.get("/v1/me", headers=mine).status_code == 401
    # Only an admin issues tokens for someone else.
    r = api.client.post("/v1/tokens", json={"username": "admin"}, headers=api.as_("analyst"))
    assert r.status_code == 403


def test_a_revoked_token_or_a_lost_role_counts_from_the_very_next_request(api: Api) -> None:
    # Nothing about a token is cached between requests (`scamnet.store.tokenreads`).
    register(api.store, "next.request", "CN-YN-DH", frozenset({UserRole.ANALYST}))
    token = api.client.post("/v1/tokens", json={"username": "next.request", "days": 1},
                            headers=api.as_("admin")).json()["token"]  # fmt: skip
    mine = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/v1/alerts", params={"limit": 50}, headers=mine).status_code == 200
    lost = api.client.put("/v1/users/next.request/roles", json={"roles": ["viewer"]},
                          headers=api.as_("admin"))  # fmt: skip
    assert lost.is_success, lost.text
    r = api.client.get("/v1/alerts", params={"limit": 50}, headers=mine)
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    gone = api.client.post("/v1/tokens/revoke", json={"token": token}, headers=mine)
    assert gone.json() == {"revoked": True}
    r = api.client.get("/v1/me", headers=mine)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def _case(api: Api) -> str:
    cases = api.client.get("/v1/cases", headers=api.as_("supervisor")).json()["items"]
    assert cases and all(c["agency"] == "CN-YN-DH" for c in cases)
    return str(cases[0]["reference"])


def test_another_bureau_sees_a_case_only_through_a_sharing_rule(api: Api) -> None:
    ref = _case(api)
    lc = api.as_("lc.investigator")
    assert api.client.get("/v1/cases", headers=lc).json()["total"] == 0
    hidden = api.client.get(f"/v1/cases/{ref}", params={"why": "curiosity"}, headers=lc)
    missing = api.client.get("/v1/cases/C-1999-00000", params={"why": "x"}, headers=lc)
    assert hidden.status_code == missing.status_code == 404  # nothing tells it exists
    share = {"owner": "CN-YN-DH", "grantee": "CN-YN-LC", "ceiling": "H1"}
    rule = api.client.post("/v1/shares", json=share, headers=api.as_("admin"))
    assert rule.status_code == 201, rule.text
    seen = api.client.get(f"/v1/cases/{ref}", params={"why": "joint operation"}, headers=lc)
    assert seen.status_code == 200
    suspect = seen.json()["suspects"][0]["suspect"]["id"]
    move = api.client.post(f"/v1/suspects/{suspect}/status",
                           json={"status": "located", "legal_basis": "x"}, headers=lc)  # fmt: skip
    assert move.status_code == 403 and "read-only" in move.json()["detail"]
    # The read is in the audit log with who, for which agency, and why.
    audit = api.client.get("/v1/audit", params={"subject": ref}, headers=api.as_("supervisor"))
    reads = [e for e in audit.json() if e["action"] == "case.read"]
    assert {"lc.investigator"} <= {e["actor"] for e in reads}
    assert any(e["detail"].get("why") == "joint operation" for e in reads)
    # A case marked H2 is above the rule's ceiling; H3 never leaves its agency.
    for code in ("H2", "H3"):
        with api.store.session() as s:
            s.execute(text("UPDATE cases SET handling = :c WHERE reference = :r"),
                      {"c": code, "r": ref})  # fmt: skip
        r = api.client.get(f"/v1/cases/{ref}", params={"why": "x"}, headers=lc)
        assert r.status_code == 404
    r = api.client.post("/v1/shares", json={"owner": "CN-YN-DH", "grantee": "CN-YN-LC",
                                            "ceiling": "H3"}, headers=api.as_("admin"))  # fmt: skip
    assert r.status_code == 403
    # Only the owner's admins share its records.
    r = api.client.post("/v1/shares", json={"owner": "CN-YN-LC", "grantee": "CN-YN-DH"},
                        headers=api.as_("admin"))  # fmt: skip
    assert r.status_code == 403


def test_reads_of_personal_data_need_a_reason(api: Api) -> None:
    ref = _case(api)
    r = api.client.get(f"/v1/cases/{ref}", headers=api.as_("investigator"))
    assert r.status_code == 400 and "why" in r.json()["detail"]


def test_an_admin_manages_users_and_a_viewer_may_not(api: Api) -> None:
    body = {"username": "new.analyst", "password": "another-long-passphrase",
            "agency": "CN-YN-DH", "roles": ["analyst"]}  # fmt: skip
    assert api.client.post("/v1/users", json=body, headers=api.as_("viewer")).status_code == 403
    made = api.client.post("/v1/users", json=body, headers=api.as_("admin"))
    assert made.status_code == 201 and made.json()["roles"] == ["analyst"]
    again = api.client.post("/v1/users", json=body, headers=api.as_("admin"))
    assert again.status_code == 422 and "exists already" in again.json()["detail"]
    weak = {**body, "username": "weak.one", "password": "short"}
    assert api.client.post("/v1/users", json=weak, headers=api.as_("admin")).status_code == 422
    elsewhere = {**body, "username": "foreign.one", "agency": "CN-YN-LC"}
    r = api.client.post("/v1/users", json=elsewhere, headers=api.as_("admin"))
    assert r.status_code == 403  # an admin of Dehong adds users for its own agencies only


def test_a_client_gets_a_limited_number_of_login_attempts(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scamnet.security.auth import CLIENT_ATTEMPTS

    monkeypatch.delenv("SCAMNET_LOGIN_ATTEMPTS")  # the default limit
    with api.store.session() as s:  # a fresh window for this client
        s.execute(text("DELETE FROM rate_limits WHERE key LIKE 'login:%'"))

    body = {"username": "nobody.at.all", "password": "x" * 12}
    try:
        codes = [api.client.post("/v1/login", json=body).status_code
                 for _ in range(CLIENT_ATTEMPTS + 1)]  # fmt: skip
        assert codes[-1] == 429 and 401 in codes
        r = api.client.post("/v1/login", json={"username": "admin", "password": PASSWORD})
        assert r.status_code == 429 and r.headers["Retry-After"] == "60"
    finally:  # the other tests of the module log in from the same test client
        with api.store.session() as s:
            s.execute(text("DELETE FROM rate_limits WHERE key LIKE 'login:%'"))

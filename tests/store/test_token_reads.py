"""A token's facts in one statement (`scamnet.store.tokenreads`) equal the repositories'
answers, on both backends, and follow every change at once (nothing is cached)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from scamnet.core.access import Actor, UserRole
from scamnet.core.entities import Agency, AgencyLevel
from scamnet.core.errors import NotAuthenticated
from scamnet.core.reference import reference_agencies
from scamnet.security.auth import actor_of, authenticate, digest, login, logout
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.tokenreads import token_facts
from scamnet.store.users import UserRepository

PASSWORD = "correct horse battery staple"


def _users(store: Store) -> dict[str, str]:
    """Users of several shapes, each logged in once: username -> token."""
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        users = UserRepository(s)
        users.create("yn.chief", PASSWORD, frozenset({UserRole.SUPERVISOR, UserRole.INVESTIGATOR}),
                     agency_code="CN-YN")  # fmt: skip
        users.create("dh.analyst", PASSWORD, UserRole.ANALYST, agency_code="CN-YN-DH")
        users.create("mps.admin", PASSWORD, UserRole.ADMIN, agency_code="CN-MPS")
        users.create("nowhere", PASSWORD, UserRole.VIEWER)
    tokens = {}
    for name in ("yn.chief", "dh.analyst", "mps.admin", "nowhere"):
        with store.session() as s:
            tokens[name] = login(s, name, PASSWORD, "test").token
    return tokens


def test_the_facts_equal_the_repositories_answers(store: Store) -> None:
    tokens = _users(store)
    with store.session() as s:
        for token in tokens.values():
            facts = token_facts(s, digest(token))
            record = UserRepository(s).token(digest(token))
            assert facts is not None and record is not None
            full = actor_of(s, record.user)
            got = (facts.username, facts.roles, facts.agency, facts.scope)
            assert got == (full.user, full.roles, full.agency, full.scope)
            kept = (facts.csrf_hash, facts.expires_at, facts.revoked, facts.active)
            assert kept == (record.csrf_hash, record.expires_at, record.revoked, record.user.active)
            assert facts.expires_at.tzinfo is not None
        assert token_facts(s, digest("no such token")) is None
    with store.session() as s:
        two_levels = {"CN-MPS", "CN-YN", "CN-YN-DH"}  # a child and a grandchild
        assert token_facts(s, digest(tokens["mps.admin"])).scope >= two_levels  # type: ignore[union-attr]
        assert token_facts(s, digest(tokens["nowhere"])).scope == frozenset()  # type: ignore[union-attr]


def test_authentication_is_one_statement(store: Store) -> None:
    token = _users(store)["dh.analyst"]
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.session() as s:
            s.connection()  # the unit of work's own set-up is not the authentication's
            statements.clear()
            # The light path runs on the DBAPI cursor, which SQLAlchemy's events do not
            # see: count the ORM's statements (none) and check the actor is whole.
            actor = authenticate(s, token)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert statements == []
    assert actor == Actor("dh.analyst", "CN-YN-DH", frozenset({UserRole.ANALYST}),
                          frozenset({"CN-YN-DH"}))  # fmt: skip


def test_revoked_disabled_and_changed_are_seen_by_the_next_request(store: Store) -> None:
    tokens = _users(store)
    with store.session() as s:
        assert authenticate(s, tokens["yn.chief"]).user == "yn.chief"  # live
        logout(s, tokens["yn.chief"])
    with store.session() as s, pytest.raises(NotAuthenticated, match="revoked"):
        authenticate(s, tokens["yn.chief"])
    with store.session() as s:
        UserRepository(s).set_active("dh.analyst", False)
    with store.session() as s, pytest.raises(NotAuthenticated, match="disabled"):
        authenticate(s, tokens["dh.analyst"])
    # A role and a new agency below the user's: seen at once (no cache of the tree).
    with store.session() as s:
        UserRepository(s).set_roles("mps.admin", frozenset({UserRole.VIEWER}))
        AgencyRepository(s).add(Agency("CN-YN-NEW", "New bureau", AgencyLevel.PREFECTURE, "CN",
                                       parent_code="CN-YN-DH"))  # fmt: skip
    with store.session() as s:
        actor = authenticate(s, tokens["mps.admin"])
        assert actor.roles == frozenset({UserRole.VIEWER})
        assert "CN-YN-NEW" in actor.scope


def test_expiry_and_the_csrf_token_are_checked(store: Store) -> None:
    _users(store)
    now = datetime.now(UTC)
    with store.session() as s:
        users = UserRepository(s)
        users.add_token("nowhere", digest("old"), digest("c"), "t", now - timedelta(seconds=1))
        users.add_token("nowhere", digest("live"), digest("c"), "t", now + timedelta(hours=1))
    with store.session() as s:
        with pytest.raises(NotAuthenticated, match="expired"):
            authenticate(s, "old")
        with pytest.raises(NotAuthenticated, match="CSRF"):
            authenticate(s, "live", "wrong")
        assert authenticate(s, "live", "c").user == "nowhere"

"""Repositories behave the same on SQLite and PostgreSQL (each test runs on both)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from scamnet.core.access import UserRole
from scamnet.core.entities import Group, Membership, Site
from scamnet.core.identifiers import Phone
from scamnet.core.reference import reference_agencies
from scamnet.core.roles import Role
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository, UnknownAgency
from scamnet.store.audit import AuditLog
from scamnet.store.groups import GroupRepository, SiteRepository
from scamnet.store.persons import PersonRepository, UnknownPerson
from scamnet.store.users import UserError, UserRepository
from tests.factories import person


def test_reference_agencies_load_once_with_hierarchy(store: Store) -> None:
    with store.session() as s:
        assert AgencyRepository(s).ensure(reference_agencies()) == 12
    with store.session() as s:
        repo = AgencyRepository(s)
        assert repo.ensure(reference_agencies()) == 0
        assert repo.get("CN-YN-DH").parent_code == "CN-YN"
        kids = [a.code for a in repo.children("CN-YN")]
        assert kids == ["CN-YN-DH", "CN-YN-LC", "CN-YN-PE", "CN-YN-XSBN"]
        # Two countries, each with its hierarchy.
        assert repo.get("MM-MUSE").parent_code == "MM-MPF"
        with pytest.raises(UnknownAgency):
            repo.get("NOPE")


def test_person_round_trip_with_scripts_documents_identifiers(store: Store) -> None:
    with store.session() as s:
        pid = PersonRepository(s).add(person()).id
    assert pid is not None
    with store.session() as s:
        repo = PersonRepository(s)
        got = repo.get(pid)
        assert [n.text for n in got.names] == ["明学昌", "Ming Xuechang"]
        assert got.identifiers[0] == Phone.parse("+86 138 0013 8000")
        assert [p.id for p in repo.by_identifier(Phone.parse("138-0013-8000"))] == [pid]
        found = repo.by_document("cn_id", "530000195501010011", "CN")
        assert found is not None
        assert found.id == pid
        assert repo.count() == 1
        with pytest.raises(UnknownPerson):
            repo.get(pid + 100)


def test_duplicate_document_is_refused_and_nothing_is_stored(store: Store) -> None:
    with store.session() as s:
        PersonRepository(s).add(person())
    with pytest.raises(IntegrityError), store.session() as s:
        PersonRepository(s).add(person(phone="13900139000"))
    with store.session() as s:
        assert PersonRepository(s).count() == 1


def test_groups_roles_and_sites(store: Store) -> None:
    with store.session() as s:
        boss = PersonRepository(s).add(person()).id
        op = (
            PersonRepository(s).add(person("李四", "Li Si", "13900139000", "530000199001010022")).id
        )
        groups = GroupRepository(s)
        gid = groups.add(Group(name="Ming family", aliases=["明家"])).id
        assert boss is not None and op is not None and gid is not None
        groups.set_role(Membership(op, gid, Role.MEMBER))
        groups.set_role(Membership(boss, gid, Role.ORGANISER))
        groups.set_role(Membership(boss, gid, Role.MASTERMIND))  # a role is updated, not doubled
        site = Site(23.69, 98.76, 1.5, "MM", "Kokang", name="Laukkai compound", group_id=gid)
        assert SiteRepository(s).add(site).id is not None
    with store.session() as s:
        members = GroupRepository(s).members(gid)
        assert [(m.person_id, m.role) for m in members] == [
            (boss, Role.MASTERMIND),
            (op, Role.MEMBER),
        ]
        assert GroupRepository(s).get(gid).aliases == ["明家"]
        assert GroupRepository(s).get(gid).origin == "manual"
        sites = SiteRepository(s).of_group(gid)
        assert sites[0].radius_km == 1.5
        assert (sites[0].region, sites[0].name, sites[0].lat) == (
            "Kokang",
            "Laukkai compound",
            23.69,
        )


def test_users_hash_passwords_and_authenticate(store: Store) -> None:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        user = UserRepository(s).create(
            "li.wei", "correct horse battery", UserRole.INVESTIGATOR, agency_code="CN-YN-DH"
        )
        assert user.agency_code == "CN-YN-DH"
    with store.session() as s:
        users = UserRepository(s)
        authed = users.authenticate("li.wei", "correct horse battery")
        assert authed is not None
        assert authed.role is UserRole.INVESTIGATOR
        assert users.authenticate("li.wei", "wrong password!!") is None
        assert users.authenticate("nobody", "correct horse battery") is None
        stored = s.execute(text("SELECT password_hash FROM users")).scalar_one()
        assert "correct horse" not in stored
        assert stored.startswith("$argon2id$")
        with pytest.raises(UserError, match="exists"):
            users.create("li.wei", "another long password", UserRole.VIEWER)
        with pytest.raises(UserError, match="at least"):
            users.create("bob", "short", UserRole.VIEWER)
        with pytest.raises(UserError, match="username"):
            users.create("Robert'); DROP TABLE users;--", "a long enough password", UserRole.VIEWER)


def test_audit_log_chains_and_verifies(store: Store) -> None:
    with store.session() as s:
        log = AuditLog(s)
        first = log.append("li.wei", "person.read", "person:1", {"reason": "case 7"})
        second = log.append("li.wei", "person.read", "person:2")
        assert second.prev_hash == first.hash
    with store.session() as s:
        assert AuditLog(s).verify() is None
        assert [e.subject for e in AuditLog(s).entries(subject="person:1")] == ["person:1"]
        assert AuditLog(s).entries()[0].detail == {"reason": "case 7"}


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
def test_audit_log_refuses_rewrites(store: Store, statement: str) -> None:
    with store.session() as s:
        AuditLog(s).append("li.wei", "login", "user:li.wei")
    with pytest.raises(DBAPIError, match="append-only"), store.session() as s:
        s.execute(text(statement))
    with store.session() as s:
        entries = AuditLog(s).entries()
        assert len(entries) == 1
        assert entries[0].actor == "li.wei"


def test_audit_log_detects_a_forged_row(store: Store) -> None:
    """An attacker who inserts a row with a made-up hash is caught by verify()."""
    with store.session() as s:
        AuditLog(s).append("li.wei", "login", "user:li.wei")
        s.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) "
                "VALUES (:at, 'mallory', 'login', 'user:x', '{}', :prev, :h)"
            ),
            {"at": "2023-11-18 00:00:00", "prev": "f" * 64, "h": "e" * 64},
        )
    with store.session() as s:
        bad = AuditLog(s).verify()
        assert bad == AuditLog(s).entries()[1].id

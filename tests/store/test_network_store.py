"""Network groups and resolution clusters in the store, on both databases."""

from __future__ import annotations

from sqlalchemy import select, update

from scamnet.core.entities import Group, GroupMember, Site
from scamnet.network.membership import split
from scamnet.store import Store
from scamnet.store.alerts import Alert, AlertRepository
from scamnet.store.models import AlertRow, GroupRow, MembershipRow
from scamnet.store.network import NetworkRepository
from scamnet.store.persons import PersonRepository
from scamnet.store.resolution import ResolutionRepository
from tests.factories import person


def _group(*phones: str, boss: str) -> Group:
    members = [GroupMember(f"tel:{boss}", "phone", "mastermind", 1.0, "command 1.00", 0.97)]
    members += [GroupMember(f"tel:{p}", "phone", "member", 0.1, "", 0.3) for p in phones]
    return Group(members, [Site(23.7, 98.8, 2.5, "MM", "Kokang", share=1.0)], origin="network")


def test_groups_keep_their_ids_and_name_known_persons(store: Store) -> None:
    with store.session() as s:
        boss = PersonRepository(s).add(person(phone="+8613800138000")).id
        manual = GroupRow(name="analyst's group", aliases=[])
        s.add(manual)
    first = [
        _group("+959000000001", "+959000000002", boss="+8613800138000"),
        _group("+959000000011", "+959000000012", boss="+959000000010"),
    ]
    with store.session() as s:
        ids = NetworkRepository(s).save(first, "test")
    # The next run finds the second group first, and one number changed sides.
    second = [
        _group("+959000000011", "+959000000012", "+959000000002", boss="+959000000010"),
        _group("+959000000001", boss="+8613800138000"),
    ]
    with store.session() as s:
        again = NetworkRepository(s).save(second, "test")
        assert again == [ids[1], ids[0]]
        view = {g.id: g for g in NetworkRepository(s).groups()}
        assert view[ids[0]].persons == 1 and view[ids[0]].sites[0].region == "Kokang"
        role = s.scalar(select(MembershipRow.role).where(MembershipRow.person_id == boss))
        assert role == "mastermind"
        assert (
            s.scalar(select(GroupRow.origin).where(GroupRow.name == "analyst's group")) == "manual"
        )
    with store.session() as s:
        NetworkRepository(s).save([], "test")  # everything dissolved
        names = list(s.scalars(select(GroupRow.name)))
        assert names == ["analyst's group"]  # an analyst's group is never touched


def test_members_keep_their_confidence_and_split_at_a_threshold(store: Store) -> None:
    with store.session() as s:
        boss = PersonRepository(s).add(person(phone="+8613800138000")).id
        (gid,) = NetworkRepository(s).save([_group("+959000000001", boss="+8613800138000")], "test")
    with store.session() as s:
        members = NetworkRepository(s).members(gid)
        assert [(m.node, m.confidence, m.person_id) for m in members] == [
            ("tel:+8613800138000", 0.97, boss),
            ("tel:+959000000001", 0.3, None),
        ]
        got = split(members, 0.5)
        assert set(got.persons()) == {boss} and [m.node for m in got.to_review] == [
            "tel:+959000000001"
        ]
        assert split(members, 0.99).persons_to_review().keys() == {boss}


def test_seed_evidence_leaves_out_weak_and_refuted_alerts(store: Store) -> None:
    def alert(kind: str, subject: str, score: float) -> Alert:
        return Alert(kind, subject, score, "fraud", "test_v1", "w", "")

    with store.session() as s:
        AlertRepository(s).add_many(
            [alert("subscriber", "+8613800138000", 0.9), alert("subscriber", "+8613800138001", 0.2),
             alert("account", "6222021234567890", 0.8), alert("message", "M1", 0.99)]
        )  # fmt: skip
        s.execute(
            update(AlertRow).where(AlertRow.kind == "account").values(verdict="false_positive")
        )
    with store.session() as s:
        found, reports = NetworkRepository(s).seed_evidence(0.5)
        assert found == [("subscriber", "+8613800138000", 0.9)] and reports == []


def test_clusters_and_judgements(store: Store) -> None:
    with store.session() as s:
        repo = ResolutionRepository(s)
        repo.replace_clusters({"warrant:W1": "RP-000001", "person:CN-YN-DH:P1": "RP-000001"}, "t")
        repo.judge("warrant:W1", "person:CN-YN-DH:P1", False, "analyst", "different mother")
        repo.judge("person:CN-YN-DH:P1", "warrant:W1", True, "analyst")  # changes its mind
    with store.session() as s:
        repo = ResolutionRepository(s)
        assert repo.members("RP-000001") == ["person:CN-YN-DH:P1", "warrant:W1"]
        assert repo.judgements() == ([("person:CN-YN-DH:P1", "warrant:W1")], [])

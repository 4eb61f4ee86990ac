"""The web's drawing of a group in two steps: members and their inner ties first, a
member's outward ties when it is opened."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from scamnet.core.access import Actor
from scamnet.core.entities import Group, GroupMember, Site
from scamnet.core.errors import NotFound
from scamnet.network.export import save_edges
from scamnet.network.graph import group_graph
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.models import AuditRow
from scamnet.store.network import NetworkRepository

BOSS, MEMBER, OUTSIDER = "tel:+959000000010", "tel:+959000000011", "tel:+959000000099"
HANDSET, TOWER = "imei:356938035643809", "cell:MM-1"
ANALYST = Actor("ana1", "CN-YN-DH")


@pytest.fixture
def drawn(store: Store, tmp_path: Path) -> tuple[Settings, int]:
    members = [GroupMember(BOSS, "phone", "mastermind", 1.0, "command 1.00", 0.97),
               GroupMember(MEMBER, "phone", "member", 0.2, "calls the boss", 0.8)]  # fmt: skip
    group = Group(members, [Site(23.7, 98.8, 2.5, "MM", "Kokang", share=1.0)], origin="network")
    with store.session() as s:
        (gid,) = NetworkRepository(s).save([group], "test")
    settings = replace(Settings.from_env(tmp_path), database_url=store.url)
    rows = [  # two reports naming the same pair are saved as two rows
        (MEMBER, BOSS, "call", 5.0), (BOSS, HANDSET, "device", 1.0),
        (BOSS, TOWER, "cell", 3.0), (BOSS, OUTSIDER, "report", 1.0),
        (BOSS, OUTSIDER, "report", 1.0), (OUTSIDER, TOWER, "cell", 1.0),
    ]  # fmt: skip
    save_edges({k: [r[i] for r in rows] for i, k in enumerate(("source", "target", "kind",
                                                                 "weight"))},
               settings.network_edges_path)  # fmt: skip
    return settings, gid


def _ids(answer: dict[str, object]) -> set[str]:
    return {e["data"]["id"] for e in answer["elements"]}  # type: ignore[attr-defined,index]


def test_the_first_step_holds_the_members_and_their_inner_ties(
    store: Store, drawn: tuple[Settings, int]
) -> None:
    settings, gid = drawn
    with store.session() as s:
        first = group_graph(s, settings, ANALYST, gid)
    assert _ids(first) == {BOSS, MEMBER, f"call|{MEMBER}|{BOSS}"}
    assert first["outward"] == 4  # device, cell and the report twice: the boss's outward ties
    assert all("evidence" not in e["data"] for e in first["elements"])


def test_opening_a_member_brings_its_outward_ties_once_each_and_is_audited(
    store: Store, drawn: tuple[Settings, int]
) -> None:
    settings, gid = drawn
    with store.session() as s:
        more = group_graph(s, settings, ANALYST, gid, around=BOSS)
    report = f"report|{BOSS}|{OUTSIDER}"
    assert _ids(more) == {HANDSET, TOWER, OUTSIDER, f"device|{BOSS}|{HANDSET}",
                          f"cell|{BOSS}|{TOWER}", report}  # fmt: skip
    weight = next(e["data"]["weight"] for e in more["elements"] if e["data"]["id"] == report)
    assert weight == 2.0  # the two rows, one tie
    with store.session() as s:
        assert group_graph(s, settings, ANALYST, gid, around=MEMBER)["elements"] == []
        with pytest.raises(NotFound):  # only a member can be opened: no probing of numbers
            group_graph(s, settings, ANALYST, gid, around=OUTSIDER)
    with store.session() as s:
        details = [json.loads(r.detail) for r in s.scalars(select(AuditRow).where(
            AuditRow.action == "network.graph"))]  # fmt: skip
    assert details[0]["around"] == BOSS

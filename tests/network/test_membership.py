"""Membership confidence on a small subgraph whose answer is known, and the split
of a group's members at the analyst's threshold."""

from __future__ import annotations

import numpy as np
import pytest

from scamnet.core.entities import GroupMember
from scamnet.network.membership import (
    HANDSET,
    HANDSET_TIE,
    HANDSET_UNTIED,
    MIN_CONFIDENCE,
    UNTIED,
    assess,
    split,
)
from scamnet.network.structure import roles, rooting_of, structure
from scamnet.network.subgraph import Seeds, Subgraph, graph_key

E = np.zeros(0, np.int64)
LEVEL = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0])  # the boss is 0: three numbers report to it


def subgraph() -> tuple[Subgraph, Seeds]:
    """Boss 0 with operators 1-3 who report to it (and are called back); 4 an ordinary
    subscriber whose phone carries a (cloned) IMEI of operator 1; 5 a number a victim
    named by mistake; 6 the shared handset; 7 and 8 a mule account and the account it
    forwards to."""
    nodes = ["+8613800000000", "+8613800000001", "+8613800000002", "+8613800000003",
             "+8613900000004", "+8613900000005", "356938035643809", "6222021234567890",
             "trx:TGBRtrHUU4fWNQTEZQctxoxgmBaCvFFvta"]  # fmt: skip
    kinds = ["phone"] * 6 + ["device", "account", "account"]
    ca = np.array([1, 0, 2, 0, 3, 0])
    cb = np.array([0, 1, 0, 2, 0, 3])
    cn = np.array([4.0, 2.0, 3.0, 1.0, 5.0, 2.0])
    da, db = np.array([1, 4]), np.array([6, 6])
    ma, mb, mw = np.array([7]), np.array([8]), np.array([9_000.0])
    sub = Subgraph(
        nodes,
        kinds,
        [""] * len(nodes),
        (np.concatenate([ca, da, ma]), np.concatenate([cb, db, mb]), np.ones(9)),
        np.array(["call"] * 6 + ["device"] * 2 + ["transfer"]),
        (ca, cb, cn),
        (ma, mb, mw),
        (E, E, np.zeros(0)),
        # Ties in the lake: the subscriber's phone (4) is a person's, with 12 contacts.
        np.array([0, 0, 0, 0, 12, 0, 0, 0, 0], np.int64),
    )
    seeds = Seeds()
    seeds.alert("subscriber", nodes[1], 0.9)
    seeds.alert("subscriber", nodes[2], 0.6)
    seeds.alert("subscriber", nodes[3], 0.7)
    seeds.report(nodes[2], nodes[7])
    seeds.report(nodes[5], None)
    return sub, seeds


def test_evidence_combines_and_a_handset_alone_is_not_enough() -> None:
    sub, seeds = subgraph()
    got = assess(sub, seeds, np.zeros(len(sub.nodes), np.int64), LEVEL)
    assert set(got) == {0, 1, 2, 3, 4, 5, 7, 8}  # phones and accounts, not the handset
    assert got[0].confidence == pytest.approx(1 - 0.7**3, abs=1e-3)  # three call ties
    assert got[1].confidence > 0.9 and "alert score 0.90" in got[1].evidence
    # An alert, a report and a call with the boss (who became a member by his calls).
    assert got[2].confidence == pytest.approx(1 - 0.4 * 0.65 * 0.7, abs=1e-3)
    assert "named in 1 victim report" in got[2].evidence
    assert got[4].confidence == HANDSET < MIN_CONFIDENCE
    assert "shares a handset with 1 group member (alone, not enough" in got[4].evidence
    assert got[5].confidence < MIN_CONFIDENCE  # one report, no tie to anybody
    # Money with an account nobody vouches for vouches for nothing, either way.
    assert got[7].confidence == pytest.approx(0.35) and got[8].confidence == 0.0
    seeds.alert("account", sub.nodes[8], 0.8)
    again = assess(sub, seeds, np.zeros(len(sub.nodes), np.int64), LEVEL)
    assert again[7].confidence == pytest.approx(1 - 0.65 * 0.55, abs=1e-3)
    assert "money with 1 group member;" in again[7].evidence


def test_calls_vouch_only_for_members() -> None:
    sub, _ = subgraph()
    got = assess(sub, Seeds(), np.zeros(len(sub.nodes), np.int64), LEVEL)
    # Nobody is known: the boss and the numbers calling him vouch for one another in vain.
    assert (
        got[0].confidence == 0.0 and got[1].confidence == 0.0
    )  # a handset shared with nobody known
    social = assess(sub, subgraph()[1], np.zeros(len(sub.nodes), np.int64), np.zeros(9, np.int64))
    # Nobody reports to anybody: calls are social, and tie nobody to the group.
    assert social[0].confidence == 0.0 and "chain of command" not in social[1].evidence


def test_evidence_counts_only_ties_inside_the_community() -> None:
    sub, seeds = subgraph()
    labels = np.zeros(len(sub.nodes), np.int64)
    labels[3] = 1  # operator 3 in another community: its calls with 0 are no tie there
    got = assess(sub, seeds, labels, LEVEL)
    assert got[0].confidence == pytest.approx(1 - 0.7**2, abs=1e-3)
    assert got[3].confidence == UNTIED and "no call or money tie" in got[3].evidence


def test_an_alert_without_a_tie_to_the_group_is_to_review() -> None:
    sub, seeds = subgraph()
    seeds.alert("subscriber", sub.nodes[5], 0.99)  # a false alert on the misnamed number
    got = assess(sub, seeds, np.zeros(len(sub.nodes), np.int64), LEVEL)
    assert got[5].confidence == UNTIED < MIN_CONFIDENCE
    assert "no call or money tie" in got[5].evidence


def test_an_alert_and_a_shared_handset_make_no_member() -> None:
    # A resold or cloned handset still carries the compound's SIMs, which is also what
    # raises the alert on its new owner: the two are one piece of evidence, no tie.
    sub, seeds = subgraph()
    seeds.alert("subscriber", sub.nodes[4], 0.99)
    got = assess(sub, seeds, np.zeros(len(sub.nodes), np.int64), LEVEL)
    assert got[4].confidence == UNTIED < MIN_CONFIDENCE
    assert "shares a handset with 1 group member;" in got[4].evidence + ";"
    assert HANDSET_TIE not in got[4].evidence
    assert got[4].evidence.endswith(f"no call or money tie to the group; {HANDSET_UNTIED}")
    assert got[1].confidence > 0.9  # the operator on the same handset keeps its calls


def with_towers(sub: Subgraph, phones: list[int]) -> Subgraph:
    """The same subgraph with one of the group's foreign cells, used by ``phones``."""
    n = len(sub.nodes)
    use = np.array(phones, np.int64)
    return Subgraph([*sub.nodes, "414-06-1"], [*sub.kinds, "cell"], [*sub.why, ""], sub.edges,
                    sub.edge_kinds, sub.calls, sub.money,
                    (use, np.full(len(use), n), np.full(len(use), 5.0)),
                    np.append(sub.ties, 0))  # fmt: skip


@pytest.mark.parametrize("backing", ["report", "towers", "no contacts"])
def test_a_shared_handset_ties_with_a_report_the_towers_or_no_life_outside(
    backing: str,
) -> None:
    # An operator's burnt SIM: alerted, on the handset of a SIM that calls the boss, and
    # never calling the boss itself. A report, the compound's towers or having nobody
    # to call often outside the group say what the handset cannot have caused, so the
    # handset ties it to the group.
    sub, seeds = subgraph()
    seeds.alert("subscriber", sub.nodes[4], 0.6)
    if backing == "report":
        seeds.report(sub.nodes[4], None)
    elif backing == "towers":
        sub = with_towers(sub, [1, 4])
    else:  # a SIM in a relay box: it calls victims once each, nobody often
        sub.ties[4] = 0
    got = assess(sub, seeds, np.zeros(len(sub.nodes), np.int64), LEVEL)
    other = {"report": 0.35, "towers": 0.15, "no contacts": 0.0}[backing]
    assert got[4].confidence == pytest.approx(1 - 0.4 * 0.8 * (1 - other), abs=1e-3)
    assert got[4].confidence >= MIN_CONFIDENCE
    assert f"shares a handset with 1 group member{HANDSET_TIE}" in got[4].evidence
    assert "no call or money tie" not in got[4].evidence


def test_a_handset_backed_by_a_report_ties_only_to_a_member() -> None:
    # The backing makes the handset a tie; it still vouches only for what it ties to:
    # a handset shared with a number nobody vouches for makes no member.
    sub, seeds = subgraph()
    seeds = Seeds()
    seeds.alert("subscriber", sub.nodes[4], 0.6)
    seeds.report(sub.nodes[4], None)
    got = assess(sub, seeds, np.zeros(len(sub.nodes), np.int64), LEVEL)
    # Its handset partner has no evidence of its own: partner 1 gets a handset alone
    # (the seeds make 4 sure of), and 4 no tie, as 1 is no member.
    assert got[1].confidence == HANDSET
    assert got[4].confidence == UNTIED and "shares a handset" not in got[4].evidence
    # A handset alone stays weak whatever backs it: the towers add to it, no more.
    sub2, seeds2 = subgraph()
    sub2.ties[4] = 0
    assert assess(sub2, seeds2, np.zeros(len(sub2.nodes), np.int64), LEVEL)[4].confidence == HANDSET
    got2 = assess(with_towers(sub2, [1, 4]), seeds2, np.zeros(len(sub2.nodes) + 1, np.int64),
                  LEVEL)  # fmt: skip
    assert got2[4].confidence == pytest.approx(1 - 0.8 * 0.85, abs=1e-3)
    assert got2[4].confidence < MIN_CONFIDENCE


def test_repeated_reports_add_up() -> None:
    seeds = Seeds()
    for _ in range(3):
        seeds.report("+8613900000005", None)
    assert seeds.reports["+8613900000005"] == 3
    assert seeds.phones["+8613900000005"] == "named in 3 victim reports"
    seeds.alert("subscriber", "+8613900000005", 0.7)
    seeds.report("+8613900000005", None)
    assert seeds.phones["+8613900000005"] == "subscriber alert, score 0.70"


def test_split_members_and_persons_to_review() -> None:
    def m(node: str, confidence: float | None, person: int | None) -> GroupMember:
        return GroupMember(node, "phone", "member", 0.1, "", confidence, person)

    members = [m("tel:+1", 0.9, 1), m("tel:+2", 0.3, 1), m("tel:+3", 0.3, 2),
               m("tel:+4", None, 3), m("tel:+5", 0.5, None)]  # fmt: skip
    got = split(members)
    assert [x.node for x in got.members] == ["tel:+1", "tel:+5"]  # the threshold is inclusive
    assert [x.node for x in got.to_review] == ["tel:+2", "tel:+3", "tel:+4"]
    assert set(got.persons()) == {1}
    assert set(got.persons_to_review()) == {2, 3}  # person 1 is a member by another number
    assert [x.node for x in split(members, 0.95).members] == []
    assert len(split(members, 0.0).members) == 4  # never assessed is never a member
    with pytest.raises(ValueError, match="lies in"):
        split(members, 1.5)


def test_graph_keys_are_cores() -> None:
    assert graph_key("phone", "+8613800000000") == "tel:+8613800000000"
    assert graph_key("device", "356938035643809") == "imei:356938035643809"
    assert graph_key("account", "6222021234567890") == "acct:6222021234567890"
    wallet = "trx:TGBRtrHUU4fWNQTEZQctxoxgmBaCvFFvta"  # as the lake keeps it (core's clean form)
    assert graph_key("account", wallet) == f"wallet:{wallet}"
    assert graph_key("cell", "414-06-1") == "cell:414-06-1"


def favoured() -> tuple[Subgraph, Seeds]:
    """Team leader 0 with alerted operators 1-3 who report to it; three alerted
    imitators 4-6 who each call their friend 7, an ordinary subscriber a victim named
    by mistake, more often than 7 calls them back. In the lake the team leader's ties
    are its operators and its own boss; the ordinary subscriber has 30 friends."""
    nodes = [f"+86138000000{i:02d}" for i in range(8)]
    ca = np.array([1, 0, 2, 0, 3, 0, 4, 7, 5, 7, 6, 7])
    cb = np.array([0, 1, 0, 2, 0, 3, 7, 4, 7, 5, 7, 6])
    cn = np.array([8.0, 4, 9, 4, 7, 3, 9, 3, 8, 2, 10, 4])
    ties = np.array([4, 1, 1, 1, 20, 20, 20, 30])  # in the whole lake
    sub = Subgraph(nodes, ["phone"] * 8, [""] * 8, (ca, cb, cn), np.array(["call"] * len(ca)),
                   (ca, cb, cn), (E, E, np.zeros(0)), (E, E, np.zeros(0)), ties)  # fmt: skip
    seeds = Seeds()
    for i, score in ((1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6), (5, 0.6), (6, 0.6)):
        seeds.alert("subscriber", nodes[i], score)
    seeds.report(nodes[7], None)
    return sub, seeds


def test_a_person_favoured_by_imitators_is_no_boss_and_no_member() -> None:
    sub, seeds = favoured()
    n, labels = len(sub.nodes), np.zeros(len(sub.nodes), np.int64)  # one community
    rooting = rooting_of(n, sub.calls, labels, sub.ties)
    assert rooting[0].tolist() == [3, 1, 1, 1, 1, 1, 1, 3]
    st = structure(n, sub.calls, sub.money, rooting)
    # Both are called upward by three numbers; only the team leader's ties are the group's.
    assert st.subordinates[0] == st.subordinates[7] == 3
    assert st.level[0] == 1 and st.level[7] == 0
    got = assess(sub, seeds, labels, st.level)
    assert got[0].confidence >= MIN_CONFIDENCE  # the team leader is a member by its calls
    assert all(got[i].confidence >= MIN_CONFIDENCE for i in (1, 2, 3))
    assert got[7].confidence < MIN_CONFIDENCE  # a report and the imitators' calls: to review
    assert "chain of command" not in got[7].evidence + got[4].evidence  # social calls
    evidence = next(m.evidence for m in roles(np.arange(n), sub.kinds, st) if m.node == 7)
    assert "3 of its 30 contacts are in the group: called by the group, not its boss" in evidence
    # Judged on its calls inside the subgraph alone, it would be taken for a team leader
    # and the report plus three call ties would make it a member.
    naive = structure(n, sub.calls, sub.money)
    assert naive.level[7] == 1
    assert assess(sub, seeds, labels, naive.level)[7].confidence >= MIN_CONFIDENCE

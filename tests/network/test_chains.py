"""A community holding two chains of command becomes two groups; one chain stays one."""

from __future__ import annotations

import numpy as np

from scamnet.network.chains import chain_tops, split_chains
from scamnet.network.structure import roles, structure

Calls = list[tuple[int, int, float]]


def chain(first: int, calls: Calls) -> list[int]:
    """Ringleader ``first``, two organisers, four team leaders with five operators each,
    numbered from ``first``; each reports up 6 times and is called back twice."""

    def report(sub: int, boss: int) -> None:
        calls.append((sub, boss, 6.0))
        calls.append((boss, sub, 2.0))

    top, organisers = first, [first + 1, first + 2]
    for o in organisers:
        report(o, top)
    node = first + 3
    for k in range(4):
        leader = node
        report(leader, organisers[k % 2])
        node += 1
        for _ in range(5):
            report(node, leader)
            node += 1
    return list(range(first, node))


def arrays(n: int, calls: Calls) -> tuple[
    tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]
]:  # fmt: skip
    a = np.array([c[0] for c in calls])
    b = np.array([c[1] for c in calls])
    w = np.array([c[2] for c in calls])
    return (a, b, w), (a, b, w)  # directed calls, and the same as undirected ties


def split_of(n: int, calls: Calls) -> np.ndarray:
    directed, ties = arrays(n, calls)
    empty = np.zeros(0, np.int64)
    st = structure(n, directed, (empty, empty, np.zeros(0)))
    return split_chains(np.zeros(n, np.int64), st, directed, ties)


def peer(calls: Calls, x: int, y: int, times: float = 3.0) -> None:
    """Friends: calls both ways, nobody's boss."""
    calls.append((x, y, times))
    calls.append((y, x, times))


def test_two_chains_joined_by_weak_peer_ties_become_two_groups() -> None:
    calls: Calls = []
    one = chain(0, calls)
    two = chain(len(one), calls)
    n = len(one) + len(two)
    # Operators of both groups share friends: ten pairs call each other a few times,
    # and two ordinary numbers call into both (and nobody reports to them).
    for k in range(10):
        peer(calls, one[7 + k], two[7 + k])
    friends = [n, n + 1]
    for f in friends:
        peer(calls, f, one[10], 4.0)
        peer(calls, f, two[10], 3.0)
    n += len(friends)
    label = split_of(n, calls)
    assert len(set(label[one])) == 1 and len(set(label[two])) == 1
    assert label[one[0]] != label[two[0]]
    assert {int(label[f]) for f in friends} == {int(label[one[0]])}  # tied to it most
    # Each group's top 3 is its own ringleader and organisers.
    directed, _ = arrays(n, calls)
    empty = np.zeros(0, np.int64)
    for members in (one, two):
        st = structure(n, directed, (empty, empty, np.zeros(0)))
        ranked = sorted(roles(np.array(members), ["phone"] * n, st), key=lambda m: -m.score)
        assert {m.node for m in ranked[:3]} == set(members[:3])


def test_one_chain_with_many_peers_stays_one_group() -> None:
    calls: Calls = []
    one = chain(0, calls)
    n = len(one)
    # Thirty friends of the operators, some calling one another: ties, not command.
    for k in range(30):
        peer(calls, n + k, one[3 + k % (len(one) - 3)])
        if k:
            peer(calls, n + k, n + k - 1)
    label = split_of(n + 30, calls)
    assert len(set(label.tolist())) == 1


def test_two_chains_tied_more_strongly_than_commanded_stay_one_group() -> None:
    calls: Calls = []
    one = chain(0, calls)
    two = chain(len(one), calls)
    for x, y in zip(one[3:], two[3:], strict=True):
        peer(calls, x, y, 20.0)  # every operator talks to its twin more than to its boss
    label = split_of(len(one) + len(two), calls)
    assert len(set(label.tolist())) == 1


def test_a_chain_top_is_followed_only_upward_and_inside_the_community() -> None:
    label = np.array([0, 0, 0, 1])
    boss = np.array([-1, 0, 1, 2])  # 3 reports to 2, but sits in another community
    level = np.array([2, 1, 0, 0])
    assert chain_tops(label, boss, level).tolist() == [0, 0, 0, 3]
    # A boss that stands no higher is no step up the chain.
    assert chain_tops(np.zeros(2, np.int64), np.array([1, 0]), np.array([0, 0])).tolist() == [0, 1]


def test_one_group_whose_ringleader_is_not_seen_stays_one_group() -> None:
    calls: Calls = []
    one = chain(0, calls)
    # The ringleader's number is not in the subgraph: its two organisers' trees are
    # joined only by a few peer ties, as two groups' chains are.
    seen = [c for c in calls if one[0] not in c[:2]]
    for k in range(5):
        peer(seen, one[7 + k], one[20 - k])
    assert len(set(split_of(len(one), seen)[one[1:]].tolist())) == 1


def test_organisers_whose_ringleader_is_unseen_are_a_group_of_their_own() -> None:
    calls: Calls = []
    one = chain(0, calls)
    two = chain(len(one), calls)
    three = chain(2 * len(one), [])
    lost: Calls = []
    chain(2 * len(one), lost)
    calls += [c for c in lost if three[0] not in c[:2]]  # its ringleader is not seen
    for k in range(5):  # a few friends across all three
        peer(calls, one[7 + k], three[7 + k])
        peer(calls, two[7 + k], three[12 + k])
    label = split_of(3 * len(one), calls)
    assert len({int(label[one[0]]), int(label[two[0]]), int(label[three[1]])}) == 3
    assert len(set(label[three[1:]].tolist())) == 1
    # Each ringleader's top 3 is its own: no organiser of the third group among them.
    directed, _ = arrays(3 * len(one), calls)
    empty = np.zeros(0, np.int64)
    st = structure(3 * len(one), directed, (empty, empty, np.zeros(0)))
    for members in (one, two):
        held = np.flatnonzero(label == label[members[0]])
        ranked = sorted(roles(held, ["phone"] * len(label), st), key=lambda m: -m.score)
        assert {m.node for m in ranked[:3]} == set(members[:3])

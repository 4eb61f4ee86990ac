"""Groups, roles, sites and exports on small graphs whose answer is known."""

from __future__ import annotations

import json
from pathlib import Path

import igraph as ig
import numpy as np

from scamnet.network.export import ExportNode, cytoscape, graphml_text, group_graph
from scamnet.network.sites import Cell, estimate, haversine_km
from scamnet.network.structure import communities, roles, rooting_of, structure, upward


def hierarchy() -> tuple[int, list[tuple[int, int, float]], dict[int, str]]:
    """Mastermind 0; organisers 1, 2; team leaders 3-6; five operators under each."""
    truth = {0: "mastermind", 1: "organiser", 2: "organiser"}
    calls: list[tuple[int, int, float]] = []

    def report(sub: int, boss: int) -> None:
        calls.append((sub, boss, 3.0))  # upward
        calls.append((boss, sub, 1.0))  # called back less

    report(1, 0)
    report(2, 0)
    node = 7
    for tl in range(3, 7):
        truth[tl] = "key_member"
        report(tl, 1 if tl < 5 else 2)
        for _ in range(5):
            truth[node] = "member"
            report(node, tl)
            node += 1
    return node, calls, truth


def test_upward_keeps_the_net_direction() -> None:
    a, b, n = np.array([0, 1, 2]), np.array([1, 0, 3]), np.array([5.0, 2.0, 1.0])
    ua, ub, net = upward(4, a, b, n)
    assert list(zip(ua.tolist(), ub.tolist(), net.tolist(), strict=True)) == [
        (0, 1, 3.0),
        (2, 3, 1.0),
    ]


def test_roles_follow_the_chain_of_command() -> None:
    n, calls, truth = hierarchy()
    a = np.array([c[0] for c in calls])
    b = np.array([c[1] for c in calls])
    w = np.array([c[2] for c in calls])
    empty = np.zeros(0, np.int64)
    st = structure(n, (a, b, w), (empty, empty, np.zeros(0)))
    members = roles(np.arange(n), ["phone"] * n, st)
    assert {m.node: m.role for m in members} == truth
    top3 = [m.node for m in sorted(members, key=lambda m: -m.score)[:3]]
    assert top3[0] == 0 and set(top3[1:]) == {1, 2}  # above team leaders with more callers
    assert "bridges 2 teams" in next(m.evidence for m in members if m.node == 1)


def test_money_roles() -> None:
    # 0 and 1 pay mule 2, which passes nearly all to 3, which keeps most and pays sink 4.
    a, b = np.array([0, 1, 2, 2, 3]), np.array([2, 2, 3, 3, 4])
    w = np.array([100.0, 100.0, 95.0, 95.0, 20.0])
    empty = np.zeros(0, np.int64)
    st = structure(5, (empty, empty, np.zeros(0)), (a, b, w))
    got = {m.node: m.role for m in roles(np.arange(5), ["account"] * 5, st)}
    assert got[2] == "money_mule" and got[3] == "organiser" and got[4] == "member"


def test_two_separate_groups_are_two_communities() -> None:
    edges = [(i, j) for i in range(6) for j in range(i + 1, 6)]
    edges += [(i + 6, j + 6) for i, j in edges]
    edges.append((0, 6))  # one stray tie between them
    a, b = np.array([e[0] for e in edges]), np.array([e[1] for e in edges])
    labels = communities(12, a, b, np.ones(len(edges)))
    assert len(set(labels[:6])) == 1 and len(set(labels[6:])) == 1 and labels[0] != labels[6]
    assert (communities(12, a, b, np.ones(len(edges))) == labels).all()  # reproducible


def _towers(rng: np.random.Generator, lat: float, lon: float, n: int) -> dict[str, Cell]:
    la, lo = lat + rng.normal(0, 4, n) / 111.0, lon + rng.normal(0, 4, n) / 102.0
    pairs = enumerate(zip(la.tolist(), lo.tolist(), strict=True))
    return {f"{lat:.1f}-{i}": Cell(a, b, "MM", "Kokang") for i, (a, b) in pairs}


def _phones(
    rng: np.random.Generator, cells: dict[str, Cell], lat: float, lon: float, n: int
) -> list[dict[str, float]]:
    """Numbers at (lat, lon) that call through the 6 nearest towers, the nearest most."""
    ids = list(cells)
    d = haversine_km(np.array([cells[c].lat for c in ids]), np.array([cells[c].lon for c in ids]),
                     lat, lon)  # fmt: skip
    near = np.argsort(d)[:6]
    w = np.exp(-d[near] / 2.0)
    out = []
    for _ in range(n):
        picks = rng.choice(near, 30, p=w / w.sum())
        out.append({ids[k]: float((picks == k).sum()) for k in set(picks.tolist())})
    return out


def test_a_compound_is_fixed_where_its_numbers_are_not_at_the_towers_centre() -> None:
    rng = np.random.default_rng(3)
    cells = _towers(rng, 23.70, 98.80, 14)
    usage = dict(enumerate(_phones(rng, cells, 23.72, 98.79, 40)))
    usage[99] = {"unknown": 500.0}  # a cell missing from the list says nothing
    (site,) = estimate(usage, cells)
    assert float(haversine_km(site.lat, site.lon, 23.72, 98.79)) < 1.0
    assert site.region == "Kokang" and site.share == 1.0 and 0.25 <= (site.radius_km or 0) < 3


def test_two_compounds_a_few_km_apart_are_two_sites() -> None:
    rng = np.random.default_rng(4)
    cells = _towers(rng, 23.70, 98.80, 14)
    cells |= {f"far-{k}": c for k, c in _towers(rng, 16.70, 98.50, 10).items()}
    a, b, far = (23.70, 98.78), (23.72, 98.82), (16.70, 98.51)  # a and b 4.7 km apart
    numbers = _phones(rng, cells, *a, 40) + _phones(rng, cells, *b, 25)
    numbers += _phones(rng, cells, *far, 20)
    sites = estimate(dict(enumerate(numbers)), cells)
    shares = [s.share or 0.0 for s in sites]
    assert len(sites) == 3 and shares == sorted(shares, reverse=True)
    for lat, lon in (a, b, far):
        assert min(float(haversine_km(s.lat, s.lon, lat, lon)) for s in sites) < 1.0
    assert estimate({}, cells) == []


def test_exports(tmp_path: Path) -> None:
    nodes = [
        ExportNode("tel:+8613800000000", "mastermind", 1.0, "command 1.00", "明志"),
        ExportNode("tel:+959000000001", "member", 0.1, ""),
    ]
    edges = [
        {
            "source": "tel:+959000000001",
            "target": "tel:+8613800000000",
            "kind": "call",
            "weight": 3.0,
        },
        {
            "source": "tel:+959000000001",
            "target": "imei:490154203237518",
            "kind": "device",
            "weight": 3.0,
        },
        {"source": "tel:+959000000001", "target": "cell:MM-1", "kind": "cell", "weight": 0.3},
    ]
    graph = group_graph(nodes, edges, {"cell:MM-1": (23.5, 98.1)})
    doc = cytoscape(graph)
    json.dumps(doc)
    ids = {n["data"]["id"] for n in doc["elements"]["nodes"]}
    assert ids == {"tel:+8613800000000", "tel:+959000000001", "imei:490154203237518", "cell:MM-1"}
    (tmp_path / "g.graphml").write_text(graphml_text(graph), encoding="utf-8")
    read = ig.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert (read.vcount(), read.ecount()) == (4, 3)
    assert "mastermind" in read.vs["role"] and set(read.es["kind"]) == {"call", "device", "cell"}
    # One node type per identifier kind, as core names them; names and roles everywhere.
    assert {graph.nodes[k]["kind"] for k in graph} == {"tel", "imei", "cell"}
    assert graph.nodes["tel:+8613800000000"]["name"] == "明志"
    assert all(graph.nodes[k]["role"] and graph.nodes[k]["name"] for k in graph)
    assert (graph.nodes["cell:MM-1"]["lat"], graph.nodes["cell:MM-1"]["lon"]) == (23.5, 98.1)


def test_pagerank_agrees_with_igraph() -> None:
    from scamnet.network.structure import _pagerank

    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    keep = a != b
    a, b, w = a[keep], b[keep], rng.random(int(keep.sum())) + 0.1
    graph = ig.Graph(n=300, edges=np.column_stack([a, b]), directed=True)
    graph.es["weight"] = w
    assert np.allclose(_pagerank(300, a, b, w), graph.pagerank(weights="weight"), atol=1e-9)


def test_upward_agrees_with_a_plain_count() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 40, 500), rng.integers(0, 40, 500)
    calls = rng.integers(1, 5, 500).astype(float)
    totals: dict[tuple[int, int], float] = {}
    for x, y, c in zip(a.tolist(), b.tolist(), calls.tolist(), strict=True):
        if x != y:
            totals[(x, y)] = totals.get((x, y), 0.0) + c
    want = {
        (x, y): c - totals.get((y, x), 0.0)
        for (x, y), c in totals.items()
        if c > totals.get((y, x), 0.0)
    }
    ua, ub, net = upward(40, a, b, calls)
    assert dict(zip(zip(ua.tolist(), ub.tolist(), strict=True), net.tolist(), strict=True)) == want


def test_a_boss_is_rooted_in_its_group() -> None:
    """The hierarchy, plus a hub 40 that three operators call more than it calls back:
    its 25 friends are outside the subgraph, so it is no team leader; the true bosses,
    whose ties are all inside, keep their levels and roles."""
    n, calls, truth = hierarchy()
    hub = n
    for op in (7, 12, 17):
        calls += [(op, hub, 4.0), (hub, op, 1.0)]
    a, b = np.array([c[0] for c in calls]), np.array([c[1] for c in calls])
    w = np.array([c[2] for c in calls])
    empty = np.zeros(0, np.int64)
    label = np.zeros(n + 1, np.int64)
    ties = np.zeros(n + 1, np.int64)
    ties[hub] = 28  # the three operators and 25 friends
    rooting = rooting_of(n + 1, (a, b, w), label, ties)
    st = structure(n + 1, (a, b, w), (empty, empty, np.zeros(0)), rooting)
    members = {m.node: m for m in roles(np.arange(n + 1), ["phone"] * (n + 1), st)}
    assert {i: members[i].role for i in truth} == truth
    assert members[hub].role == "member" and st.level[hub] == 0
    assert "3 of its 28 contacts are in the group: called by the group, not its boss" in (
        members[hub].evidence
    )
    assert "6 of its 6 contacts are in the group" in members[3].evidence
    # Without the lake's ties the hub passes for a team leader of three.
    assert structure(n + 1, (a, b, w), (empty, empty, np.zeros(0))).level[hub] == 1

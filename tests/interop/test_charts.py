"""Charts and maps of a demo group, read back by the tools' own libraries: networkx for
GraphML, GEXF, Cytoscape.js and the i2 CSV pair, the geojson package for GeoJSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geojson
import networkx as nx
import pytest

from scamnet.core.identifiers import IDENTIFIER_TYPES
from scamnet.network.export_i2 import ENTITIES_FILE, LINKS_FILE, SPEC_FILE
from tests.interop.conftest import Cli

pytestmark = pytest.mark.slow  # they run on the demo world
KINDS = set(IDENTIFIER_TYPES) | {"cell"}


def _check_nodes(graph: nx.Graph) -> None:
    kinds = {d["kind"] for _k, d in graph.nodes(data=True)}
    assert kinds <= KINDS and {"tel", "imei", "cell"} <= kinds  # one type per kind, from core
    for key, d in graph.nodes(data=True):
        assert d["name"] and d["role"], key
        assert ("lat" in d) == (d["kind"] == "cell"), key
    assert any(d["role"] == "mastermind" for _k, d in graph.nodes(data=True))
    # Persons' names, where the identifier is known to be someone's, in 汉字.
    assert any(d["name"] != d["label"] for _k, d in graph.nodes(data=True))


def test_graphml_gexf_and_cytoscape_read_back_alike(cli: Cli, tmp_path: Path) -> None:
    graphs = {}
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        cli("export", fmt, "1", "--out", str(tmp_path / f"g.{fmt}"))
        graphs[fmt] = reader(tmp_path / f"g.{fmt}")
    cli("network", "export", "1", "--format", "cytoscape", "--out", str(tmp_path / "g.cyjs"))
    doc = json.loads((tmp_path / "g.cyjs").read_text(encoding="utf-8"))
    assert set(doc["elements"]) == {"nodes", "edges"}  # the shape Cytoscape Desktop reads
    graphs["cytoscape"] = nx.cytoscape_graph(doc)
    first = graphs["graphml"]
    assert first.number_of_nodes() > 50 and first.number_of_edges() > 50
    for fmt, graph in graphs.items():
        assert set(graph.nodes) == set(first.nodes), fmt
        assert graph.number_of_edges() == first.number_of_edges(), fmt
        _check_nodes(graph)
    cell = next(k for k, d in first.nodes(data=True) if d["kind"] == "cell")
    assert 20 < first.nodes[cell]["lat"] < 30 and 90 < first.nodes[cell]["lon"] < 105


def test_the_i2_pair_is_the_same_chart(cli: Cli, tmp_path: Path) -> None:
    cli("export", "graphml", "1", "--out", str(tmp_path / "g.graphml"))
    cli("export", "i2", "1", "--out", str(tmp_path / "i2"))
    with (tmp_path / "i2" / ENTITIES_FILE).open(encoding="utf-8", newline="") as fh:
        entities = list(csv.DictReader(fh))
    with (tmp_path / "i2" / LINKS_FILE).open(encoding="utf-8", newline="") as fh:
        links = list(csv.DictReader(fh))
    chart = nx.MultiDiGraph()
    chart.add_nodes_from((e["Entity ID"], {"kind": e["Type"]}) for e in entities)
    chart.add_edges_from((r["From Entity ID"], r["To Entity ID"], r["Link ID"]) for r in links)
    graph = nx.read_graphml(tmp_path / "g.graphml")
    assert set(chart.nodes) == set(graph.nodes)
    assert chart.number_of_edges() == graph.number_of_edges()
    assert all(e["Name"] and e["Role"] for e in entities)
    assert all(e["Latitude"] for e in entities if e["Type"] == "cell")
    spec = (tmp_path / "i2" / SPEC_FILE).read_text(encoding="utf-8")
    assert "From Entity ID" in spec and "Mobile Telephone" in spec


def test_the_map_has_sites_with_radius_and_cells_with_coordinates(cli: Cli, tmp_path: Path) -> None:
    cli("export", "geojson", "--group", "1", "--out", str(tmp_path / "g1.geojson"))
    cli("export", "geojson", "--out", str(tmp_path / "all.geojson"))
    for name in ("g1.geojson", "all.geojson"):
        doc = geojson.loads((tmp_path / name).read_text(encoding="utf-8"))
        assert doc.is_valid, doc.errors()
    g1 = geojson.loads((tmp_path / "g1.geojson").read_text(encoding="utf-8"))
    every = geojson.loads((tmp_path / "all.geojson").read_text(encoding="utf-8"))
    sites = [f for f in g1["features"] if f["properties"]["kind"] == "site"]
    cells = [f for f in g1["features"] if f["properties"]["kind"] == "cell"]
    assert sites and all(f["properties"]["radius_m"] > 0 for f in sites)
    assert cells and all(f["properties"]["cell_id"] for f in cells)
    lon, lat = sites[0]["geometry"]["coordinates"]  # RFC 7946: longitude first
    assert 90 < lon < 105 and 15 < lat < 30
    assert len(every["features"]) > len(g1["features"])

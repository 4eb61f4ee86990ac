"""A group's chart for i2 Analyst's Notebook: an entities CSV, a links CSV, and the
import specification that says how the Import Wizard maps their columns.

i2 keeps saved import specifications (``.ximp``) in a format of its own; the
specification written here is the same mapping in words, one wizard step a line,
so that an analyst sets it up once and saves it in i2.
"""

from __future__ import annotations

import csv
import io

import networkx as nx

from scamnet.core.csvsafe import neutralise_row

ENTITY_COLUMNS = (
    "Entity ID",
    "Type",
    "Label",
    "Name",
    "Role",
    "Score",
    "Latitude",
    "Longitude",
    "Evidence",
)
LINK_COLUMNS = ("Link ID", "From Entity ID", "To Entity ID", "Link Type", "Weight")

# Icons of i2's standard palette for each node type (the analyst may pick others).
ICONS = {
    "tel": "Mobile Telephone",
    "imei": "Mobile Phone Handset",
    "acct": "Bank Account",
    "wallet": "Account",
    "url": "Web Site",
    "ip": "IP Address",
    "chat": "Online Account",
    "cell": "Cell Site",
}
ENTITIES_FILE, LINKS_FILE, SPEC_FILE = "entities.csv", "links.csv", "i2-import-specification.txt"


def _csv(header: tuple[str, ...], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180, as i2 reads it
    writer.writerow(header)
    writer.writerows(neutralise_row(r) for r in rows)
    return buf.getvalue()


def entities_csv(graph: nx.MultiDiGraph) -> str:
    rows: list[list[object]] = [
        [
            k,
            a["kind"],
            a["label"],
            a["name"],
            a["role"],
            a["score"],
            a.get("lat", ""),
            a.get("lon", ""),
            a["evidence"],
        ]
        for k, a in graph.nodes(data=True)
    ]
    return _csv(ENTITY_COLUMNS, rows)


def links_csv(graph: nx.MultiDiGraph) -> str:
    rows: list[list[object]] = [
        [key, s, t, a["kind"], a["weight"]] for s, t, key, a in graph.edges(keys=True, data=True)
    ]
    return _csv(LINK_COLUMNS, rows)


def specification(graph: nx.MultiDiGraph) -> str:
    kinds = sorted({a["kind"] for _k, a in graph.nodes(data=True)})
    links = sorted({a["kind"] for _s, _t, a in graph.edges(data=True)})
    icons = "\n".join(f"    {k:<7} -> {ICONS.get(k, 'Entity')}" for k in kinds)
    counts = f"{graph.number_of_nodes()} entities, {graph.number_of_edges()} links"
    return f"""i2 Analyst's Notebook import specification (scamnet)
graph: {graph.graph.get("name", "")}
files: {ENTITIES_FILE} and {LINKS_FILE} ({counts})
encoding: UTF-8, comma-separated, first row is the header, fields quoted with "

Step 1 - import {ENTITIES_FILE} with an entities-only design
  Identity        <- column "Entity ID" (the graph key, unique)
  Entity type     <- column "Type", mapped to icons:
{icons}
  Label           <- column "Name" (the suspected person's name, else the identifier)
  Attributes      <- "Label" (identifier), "Role" (suspected role; none for handsets
                     and towers), "Score" (number), "Evidence" (text)
  Geo position    <- "Latitude", "Longitude" (WGS 84 degrees; towers only)

Step 2 - import {LINKS_FILE} with a links design, matching existing entities
  End 1 identity  <- column "From Entity ID"
  End 2 identity  <- column "To Entity ID"
  Link type       <- column "Link Type": {", ".join(links)}
  Direction       <- from End 1 to End 2 (calls and transfers are directed)
  Line strength   <- column "Weight" (calls, amounts; ties by handset or tower are fixed)

Cells starting with = + - @ are prefixed with ' so that no spreadsheet runs them.
All persons are suspected only.
"""

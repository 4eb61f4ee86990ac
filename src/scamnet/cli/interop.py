"""``scamnet export`` and ``scamnet import``: the formats other tools speak.

FollowTheMoney (Aleph, OpenSanctions), STIX 2.1 (OpenCTI, CERTs), MISP, GraphML,
GEXF (Gephi), Cytoscape.js, i2 Analyst's Notebook, GeoJSON, and group lists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    fail,
    unit_of_work,
)
from scamnet.core.access import Permission as Need
from scamnet.core.handling import HandlingCode, parse_handling

HandlingOption = Annotated[
    str,
    typer.Option(
        "--handling",
        help="The most restricted handling code exported (H0-H3); records above it are left out.",
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="File to write.")]


def parse_ceiling(text: str) -> HandlingCode:
    try:
        return parse_handling(text)
    except ValueError as exc:
        raise fail(str(exc), 2) from None


def _left_out(n: int, ceiling: HandlingCode) -> str:
    return f"; {n:,} records above {ceiling.value} left out" if n else ""


export_app = typer.Typer(
    help="Export for other tools: FtM, STIX 2.1, MISP, GraphML, GEXF, Cytoscape, i2, GeoJSON, "
    "lists.",
    no_args_is_help=True,
)
import_app = typer.Typer(
    help="Import FollowTheMoney persons or STIX 2.1 indicators from other tools.",
    no_args_is_help=True,
)


@export_app.command("ftm")
def export_ftm(
    out: OutOption,
    group: Annotated[
        list[int] | None, typer.Option("--group", help="Group id (repeat; default: all).")
    ] = None,
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Groups as FollowTheMoney entities (JSON Lines): persons, identifiers, memberships,
    calls and payments."""
    from scamnet.interop import service

    ceiling = parse_ceiling(handling)
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_EXPORT)
        done = service.export_ftm(session, settings, actor, out, group or None, ceiling)
    console.print(
        f"wrote {out}: {done.entities:,} entities ({done.persons:,} persons, "
        f"{done.calls:,} calls, {done.payments:,} payments)"
        f"{_left_out(done.left_out, ceiling)}",
        markup=False,
    )


@export_app.command("stix")
def export_stix(
    out: OutOption,
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Confirmed scam indicators as a STIX 2.1 bundle, with sightings and fraud types."""
    from scamnet.interop import service

    ceiling = parse_ceiling(handling)
    with unit_of_work(data_dir) as (settings, session):
        done = service.export_stix(
            session, actor_for(settings, user, agency, Need.GROUPS_EXPORT), out, ceiling
        )
    console.print(
        f"wrote {out}: {done.indicators:,} indicators, {done.sightings:,} sightings"
        f"{_left_out(done.left_out, ceiling)}",
        markup=False,
    )


@export_app.command("misp")
def export_misp(
    out: OutOption,
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Confirmed scam indicators as one MISP event (JSON), tagged with TLP."""
    from scamnet.interop import service

    ceiling = parse_ceiling(handling)
    with unit_of_work(data_dir) as (settings, session):
        done = service.export_misp(
            session, actor_for(settings, user, agency, Need.GROUPS_EXPORT), out, ceiling
        )
    console.print(
        f"wrote {out}: {done.indicators:,} attributes{_left_out(done.left_out, ceiling)}",
        markup=False,
    )


def _chart(
    fmt: str,
    group: int,
    out: Path,
    handling: str,
    user: str,
    agency: str | None,
    data_dir: Path | None,
) -> None:
    from scamnet.network.export_group import ExportFormat, export_group

    ceiling = parse_ceiling(handling)
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_EXPORT)
        done = export_group(session, settings, actor, group, ExportFormat(fmt), out, ceiling)
    console.print(
        f"wrote {', '.join(map(str, done.paths))}: {done.nodes:,} nodes, "
        f"{done.ties:,} ties{_left_out(done.left_out, ceiling)}",
        markup=False,
    )


GroupArg = Annotated[int, typer.Argument(help="Group id.")]


@export_app.command("graphml")
def export_graphml(
    group: GroupArg,
    out: OutOption,
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A group's chart as GraphML (yEd, igraph, networkx)."""
    _chart("graphml", group, out, handling, user, agency, data_dir)


@export_app.command("gexf")
def export_gexf(
    group: GroupArg,
    out: OutOption,
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A group's chart as GEXF for Gephi."""
    _chart("gexf", group, out, handling, user, agency, data_dir)


@export_app.command("cytoscape")
def export_cytoscape(
    group: GroupArg,
    out: OutOption,
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A group's chart as Cytoscape.js JSON (Cytoscape Desktop's .cyjs)."""
    _chart("cytoscape", group, out, handling, user, agency, data_dir)


@export_app.command("i2")
def export_i2(
    group: GroupArg,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the files in.")],
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A group's chart for i2 Analyst's Notebook: entities and links CSVs and the import
    specification."""
    _chart("i2", group, out, handling, user, agency, data_dir)


@export_app.command("geojson")
def export_geojson(
    out: OutOption,
    group: Annotated[int | None, typer.Option("--group", help="One group (default: all).")] = None,
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Sites (with their radius) and cells as GeoJSON."""
    from scamnet.network.export_group import export_map

    ceiling = parse_ceiling(handling)
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_EXPORT)
        done = export_map(session, settings, actor, out, group, ceiling)
    console.print(
        f"wrote {out}: {done.nodes:,} features{_left_out(done.left_out, ceiling)}", markup=False
    )


@export_app.command("groups")
def export_groups(
    out: OutOption,
    fmt: Annotated[
        str,
        typer.Option("--format", help="json, or csv (members; sites beside it in NAME.sites.csv)."),
    ] = "json",
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Groups with their members, ranks, roles, persons and sites (JSON or CSV)."""
    from scamnet.interop.listing import export_groups as run
    from scamnet.interop.lists import ListFormat

    ceiling = parse_ceiling(handling)
    try:
        list_format = ListFormat(fmt)
    except ValueError:
        raise fail(f"unknown format {fmt!r}: json or csv", 2) from None
    with unit_of_work(data_dir) as (settings, session):
        done = run(
            session,
            actor_for(settings, user, agency, Need.GROUPS_EXPORT),
            out,
            list_format,
            ceiling,
        )
    console.print(
        f"wrote {', '.join(map(str, done.paths))}: {done.rows:,} members"
        f"{_left_out(done.left_out, ceiling)}",
        markup=False,
    )


SourceOption = Annotated[
    str | None, typer.Option("--source", help="Who the records come from (default: the file's).")
]


@import_app.command("ftm")
def import_ftm(
    file: Annotated[Path, typer.Argument(help="FollowTheMoney entities, JSON Lines.")],
    source: SourceOption = None,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """FollowTheMoney persons with their documents and identifiers, as person records
    that resolution and matching search."""
    from scamnet.interop import service

    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.DATA_INGEST)
        done = service.import_ftm(session, actor, file, source or f"ftm:{file.stem}"[:64])
    console.print(
        f"{file}: {done.added:,} persons added, {done.linked:,} joined to known "
        f"persons by document, {done.already:,} already imported, "
        f"{done.identifiers:,} identifiers; {len(done.skipped):,} values skipped",
        markup=False,
    )
    for reason in done.skipped[:20]:
        console.print(f"  skipped: {reason}", markup=False)


@import_app.command("stix")
def import_stix(
    file: Annotated[Path, typer.Argument(help="A STIX 2.1 bundle (JSON).")],
    source: SourceOption = None,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A STIX 2.1 bundle's indicators (phones, accounts, wallets, URLs, domains) as victim
    reports: they seed the network and lend domains reputation."""
    from scamnet.interop import service

    with unit_of_work(data_dir) as (settings, session):
        done = service.import_stix(
            session, actor_for(settings, user, agency, Need.DATA_INGEST), file, source
        )
    console.print(
        f"{file}: {done.added:,} reports added, {done.already:,} already imported; "
        f"{len(done.skipped):,} skipped",
        markup=False,
    )
    for reason in done.skipped[:20]:
        console.print(f"  skipped: {reason}", markup=False)

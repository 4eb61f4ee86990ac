"""The list use cases: groups with members, ranks, roles and sites; the person clusters
of entity resolution; the lake's calls and transfers of a window. Audited exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import DomainError, NotFound
from scamnet.core.handling import DEFAULT_HANDLING, HandlingCode
from scamnet.engine import open_engine
from scamnet.interop.files import check_writable, write_bytes, writing
from scamnet.interop.handling import admit, code_of
from scamnet.interop.lists import (
    ClusterLine,
    GroupLine,
    ListFormat,
    MemberLine,
    SiteLine,
    clusters_text,
    csv_text,
    groups_csv,
    groups_json,
)
from scamnet.lake import SCHEMAS, RecordKind, RecordLake
from scamnet.lake.schemas import TIME_COLUMN
from scamnet.network.export import node_kind
from scamnet.settings import Settings
from scamnet.store.audit import AuditLog
from scamnet.store.interop import InteropQueries
from scamnet.store.resolution import ResolutionRepository, source_records
from scamnet.store.seeds import SqlNetworkInputs


@dataclass(frozen=True, slots=True)
class Listed:
    paths: list[Path]
    rows: int
    left_out: int = 0


def sites_path(out: Path) -> Path:
    """Where the sites of a groups CSV go: beside it, ``NAME.sites.csv``."""
    return out.with_name(f"{out.stem}.sites.csv")


def export_groups(
    session: Session,
    actor: Actor,
    out: Path,
    fmt: ListFormat,
    ceiling: HandlingCode = DEFAULT_HANDLING,
) -> Listed:
    """Every group within ``ceiling`` with its members (ranked, with roles and the persons
    known to use them, unless above the ceiling) and its sites."""
    check_writable(out)
    queries = InteropQueries(session)
    groups = admit(queries.groups(), ceiling)
    names = SqlNetworkInputs(session).person_names()
    nodes = {g.id: queries.nodes(g.id) for g in groups.kept}
    persons = admit(
        queries.person_rows(
            n.person_id for ns in nodes.values() for n in ns if n.person_id is not None
        ),
        ceiling,
    )
    shown = {p.id for p in persons.kept}
    lines = [
        GroupLine(
            g.id,
            g.name,
            list(g.aliases or []),
            g.origin,
            code_of(g).value,
            [
                MemberLine(
                    n.rank,
                    n.node,
                    node_kind(n.node),
                    n.role,
                    n.score,
                    n.confidence,
                    n.person_id if n.person_id in shown else None,
                    names.get(n.person_id, "") if n.person_id in shown else "",
                    n.evidence,
                )
                for n in nodes[g.id]
            ],
            [
                SiteLine(s.name, s.latitude, s.longitude, s.radius_km, s.country, s.region)
                for s in queries.sites(g.id)
            ],
        )
        for g in groups.kept
    ]
    if fmt is ListFormat.json:
        paths = [out]
        with writing(out) as fh:
            fh.write(groups_json(lines))
    else:
        members, sites = groups_csv(lines)
        paths = [out, sites_path(out)]
        for path, text in zip(paths, (members, sites), strict=True):
            with writing(path) as fh:
                fh.write(text)
    left_out = groups.left_out + persons.left_out
    AuditLog(session).append(
        actor.user,
        "interop.export",
        "groups",
        {
            "format": f"groups-{fmt.value}",
            "paths": [str(p) for p in paths],
            "groups": len(lines),
            "ceiling": ceiling.value,
            "left_out": left_out,
            "agency": actor.agency,
        },
    )
    return Listed(paths, sum(len(g.members) for g in lines), left_out)


def export_clusters(
    session: Session,
    actor: Actor,
    out: Path,
    fmt: ListFormat,
    ceiling: HandlingCode = DEFAULT_HANDLING,
) -> Listed:
    """Each resolved person with the records joined into it (an audited export)."""
    check_writable(out)
    clusters = ResolutionRepository(session).clusters()
    if not clusters:
        raise NotFound("no resolved persons yet: run `scamnet resolve persons` first")
    records = admit([r for r in source_records(session) if r.uid in clusters], ceiling)
    lines = sorted(
        (
            ClusterLine(
                clusters[r.uid],
                r.uid,
                r.source,
                r.name,
                r.birth_date,
                r.id_number,
                r.passport,
                r.phone,
            )
            for r in records.kept
        ),
        key=lambda c: (c.person, c.record),
    )
    with writing(out) as fh:
        fh.write(clusters_text(lines, fmt))
    AuditLog(session).append(
        actor.user,
        "resolve.export",
        "resolved_records",
        {
            "format": fmt.value,
            "path": str(out),
            "records": len(lines),
            "persons": len({c.person for c in lines}),
            "ceiling": ceiling.value,
            "left_out": records.left_out,
            "agency": actor.agency,
        },
    )
    return Listed([out], len(lines), records.left_out)


class RecordFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


class ExportedKind(StrEnum):
    """The lake's kinds a list may hold: calls and transfers (messages carry what
    victims wrote, and stay in the lake)."""

    calls = "calls"
    transfers = "transfers"


class BadWindow(DomainError):
    """A window that ends before it starts."""


def export_records(
    session: Session,
    settings: Settings,
    actor: Actor,
    kind: ExportedKind,
    start: date,
    end: date,
    fmt: RecordFormat,
    out: Path,
    ceiling: HandlingCode = DEFAULT_HANDLING,
) -> Listed:
    """The stored records of ``kind`` from ``start`` to ``end`` (both days included, UTC)."""
    if end < start:
        raise BadWindow(f"the window ends ({end}) before it starts ({start})")
    check_writable(out)
    record_kind = RecordKind(kind.value)
    # Lake records carry no code of their own: the kind stands for all its rows.
    if not code_of(record_kind).within(ceiling):
        raise PermissionError(f"{kind.value} are handled above the ceiling {ceiling.value}")
    lake = RecordLake(settings.lake_dir)
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    files = lake.files(record_kind, days)
    schema = SCHEMAS[record_kind]
    column = TIME_COLUMN[record_kind]
    with open_engine(settings) as engine:
        view = engine.register_parquet("export_rows", files, schema, drop_day=True)
        names = ", ".join(f'"{n}"' for n in schema.names)
        # Column names come from the lake's schema and the view name from the engine.
        query = f'SELECT {names} FROM {view.name} ORDER BY "{column}"'  # noqa: S608
        table = engine.to_arrow(engine.sql(query))
    table = table.cast(schema)
    if fmt is RecordFormat.parquet:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        write_bytes(out, sink.getvalue().to_pybytes())
    else:
        with writing(out) as fh:
            fh.write(csv_text(schema.names, (r.values() for r in table.to_pylist())))
    AuditLog(session).append(
        actor.user,
        "lake.export",
        kind.value,
        {
            "format": fmt.value,
            "path": str(out),
            "from": start.isoformat(),
            "to": end.isoformat(),
            "rows": table.num_rows,
            "ceiling": ceiling.value,
            "agency": actor.agency,
        },
    )
    return Listed([out], table.num_rows)

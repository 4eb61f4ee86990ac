"""Machine-readable lists as JSON or CSV: groups with their members and sites, the
person clusters of entity resolution, and the lake's records of a window."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from scamnet.core.csvsafe import neutralise_row


class ListFormat(StrEnum):
    json = "json"
    csv = "csv"


@dataclass(frozen=True, slots=True)
class MemberLine:
    rank: int
    node: str
    kind: str  # core's identifier kind
    role: str
    score: float
    confidence: float | None
    person_id: int | None
    person: str
    evidence: str


@dataclass(frozen=True, slots=True)
class SiteLine:
    name: str
    lat: float
    lon: float
    radius_km: float | None
    country: str
    region: str


@dataclass(frozen=True, slots=True)
class GroupLine:
    id: int
    name: str
    aliases: list[str]
    origin: str
    handling: str
    members: list[MemberLine]
    sites: list[SiteLine]


@dataclass(frozen=True, slots=True)
class ClusterLine:
    person: str  # the resolved person id (RP-…)
    record: str  # the record's uid: person:AGENCY:ID, warrant:ID, manifest:BATCH#SEQ
    source: str
    name: str
    birth_date: date | None
    id_number: str | None
    passport: str | None
    phone: str | None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 CSV with formula-looking cells neutralised (core.csvsafe)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(neutralise_row(["" if v is None else _plain(v) for v in row]))
    return buf.getvalue()


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=_plain) + "\n"


MEMBER_HEADER = ("group_id", "group", "handling", *MemberLine.__slots__)
SITE_HEADER = ("group_id", "group", *SiteLine.__slots__)


def groups_json(groups: list[GroupLine]) -> str:
    return json_text({"groups": [asdict(g) for g in groups]})


def groups_csv(groups: list[GroupLine]) -> tuple[str, str]:
    """Members (one row each) and sites (one row each), as two CSVs."""
    members = csv_text(
        MEMBER_HEADER,
        (
            [g.id, g.name, g.handling, *(getattr(m, f) for f in MemberLine.__slots__)]
            for g in groups
            for m in g.members
        ),
    )
    sites = csv_text(
        SITE_HEADER,
        (
            [g.id, g.name, *(getattr(s, f) for f in SiteLine.__slots__)]
            for g in groups
            for s in g.sites
        ),
    )
    return members, sites


CLUSTER_HEADER = ClusterLine.__slots__


def clusters_text(lines: list[ClusterLine], fmt: ListFormat) -> str:
    if fmt is ListFormat.json:
        return json_text({"clusters": [asdict(c) for c in lines]})
    return csv_text(CLUSTER_HEADER, ([getattr(c, f) for f in CLUSTER_HEADER] for c in lines))

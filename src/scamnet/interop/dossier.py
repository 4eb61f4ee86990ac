"""What the group formats are built from: a group with its members, the persons known
to use its identifiers, their memberships and sites, and the calls and transfers
between its own identifiers (the lake's records, never a victim's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from scamnet.core.entities import Person
from scamnet.core.handling import HandlingCode
from scamnet.engine import open_engine
from scamnet.interop.handling import admit
from scamnet.lake import RecordLake
from scamnet.network.export import node_label
from scamnet.network.export_group import group_within
from scamnet.settings import Settings
from scamnet.store.interop import InteropQueries
from scamnet.store.models import SiteRow


@dataclass(frozen=True, slots=True)
class Node:
    key: str  # graph key: tel:…, acct:…, wallet:…, imei:…
    role: str
    rank: int
    score: float
    person_id: int | None


@dataclass(frozen=True, slots=True)
class Call:
    caller: str  # E.164
    callee: str
    start: datetime
    duration_s: int


@dataclass(frozen=True, slots=True)
class Transfer:
    source: str  # as the lake holds it: account digits, IBAN or trx:/eth: wallet
    target: str
    amount: Decimal
    currency: str
    at: datetime


@dataclass(slots=True)
class Dossier:
    group_id: int
    name: str
    aliases: list[str]
    nodes: list[Node]
    persons: list[Person]  # within the ceiling
    roles: dict[int, str]  # person id → suspected role in the group
    sites: list[SiteRow]
    calls: list[Call] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    left_out: int = 0  # persons above the ceiling


def build(
    session: Session,
    settings: Settings,
    group_id: int,
    ceiling: HandlingCode,
    with_records: bool = True,
) -> Dossier:
    """The group's dossier; persons above ``ceiling`` are left out (their identifiers,
    which belong to the group, stay)."""
    queries = InteropQueries(session)
    group = group_within(queries, group_id, ceiling)
    rows = queries.nodes(group_id)
    nodes = [Node(n.node, n.role, n.rank, n.score, n.person_id) for n in rows]
    roles = {m.person_id: m.role for m in queries.memberships(group_id)}
    wanted = set(roles) | {n.person_id for n in nodes if n.person_id is not None}
    admitted = admit(queries.person_rows(wanted), ceiling)
    persons = queries.persons(p.id for p in admitted.kept)
    dossier = Dossier(
        group.id,
        group.name,
        list(group.aliases or []),
        nodes,
        persons,
        {p: r for p, r in roles.items() if p in {q.id for q in persons}},
        queries.sites(group_id),
        left_out=admitted.left_out,
    )
    if with_records:
        dossier.calls, dossier.transfers = internal_records(settings, {n.key for n in nodes})
    return dossier


def internal_records(settings: Settings, keys: set[str]) -> tuple[list[Call], list[Transfer]]:
    """Calls between the group's numbers and transfers between its accounts and wallets."""
    phones = sorted(node_label(k) for k in keys if k.startswith("tel:"))
    parties = sorted(node_label(k) for k in keys if k.startswith(("acct:", "wallet:")))
    with open_engine(settings) as engine:
        engine.attach_lake(RecordLake(settings.lake_dir))
        engine.register_arrow("g_phones", pa.table({"k": pa.array(phones, pa.string())}))
        engine.register_arrow("g_parties", pa.table({"k": pa.array(parties, pa.string())}))
        calls: list[dict[str, Any]] = engine.fetch(
            engine.sql(
                "SELECT caller, callee, start, duration_s FROM calls "
                "WHERE caller IN (SELECT k FROM g_phones) AND callee IN (SELECT k FROM g_phones) "
                "ORDER BY start, caller, callee"
            )
        )
        money: list[dict[str, Any]] = engine.fetch(
            engine.sql(
                'SELECT source, target, amount, currency, "at" FROM transfers '
                "WHERE source IN (SELECT k FROM g_parties) AND target IN (SELECT k FROM g_parties) "
                'ORDER BY "at", source, target'
            )
        )
    return (
        [Call(r["caller"], r["callee"], r["start"], int(r["duration_s"])) for r in calls],
        [
            Transfer(r["source"], r["target"], Decimal(r["amount"]), r["currency"] or "", r["at"])
            for r in money
        ],
    )

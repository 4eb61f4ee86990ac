"""Groups found by network analysis: saved with their identifiers, roles, persons and sites.

A new run updates the groups of the previous one rather than replacing them: each
found group takes the id of the earlier network group it shares most identifiers
with, so cases opened from a group keep pointing at it. Groups an analyst created
(origin "manual") are never touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scamnet.store.audit import AuditLog
from scamnet.store.casemodels import GroupNodeRow
from scamnet.store.models import GroupRow, MembershipRow, PersonIdentifierRow, SiteRow


@dataclass(frozen=True, slots=True)
class NodeRole:
    node: str  # graph key
    kind: str
    role: str
    score: float
    evidence: str


@dataclass(frozen=True, slots=True)
class SiteFound:
    lat: float
    lon: float
    radius_km: float
    country: str
    region: str
    share: float


@dataclass(frozen=True, slots=True)
class GroupFound:
    members: list[NodeRole]  # ringleaders first
    sites: list[SiteFound]


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    name: str
    size: int
    persons: int
    leaders: list[GroupNodeRow]
    sites: list[SiteRow]


# Only persons' roles are memberships; a person's role is the highest of their identifiers.
ROLE_ORDER = ["mastermind", "organiser", "key_member", "member", "recruiter", "money_mule"]


class NetworkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, found: list[GroupFound], actor: str) -> list[int]:
        """Write the groups of a run; returns their ids in the order given."""
        previous = self._previous()
        owners = self._owners({m.node for g in found for m in g.members})
        taken: set[int] = set()
        ids = []
        for group in found:
            nodes = {m.node for m in group.members}
            overlap = sorted(
                (
                    (len(nodes & old), gid)
                    for gid, old in previous.items()
                    if gid not in taken and nodes & old
                ),
                reverse=True,
            )
            gid = overlap[0][1] if overlap else self._new_group()
            taken.add(gid)
            self._write(gid, group, owners)
            ids.append(gid)
        for gid in set(previous) - taken:  # groups that dissolved
            self.session.execute(delete(SiteRow).where(SiteRow.group_id == gid))
            self.session.execute(delete(GroupRow).where(GroupRow.id == gid))
        self.session.flush()
        AuditLog(self.session).append(
            actor,
            "network.groups",
            "groups",
            {"groups": len(ids), "kept": len(taken & set(previous))},
        )
        return ids

    def _previous(self) -> dict[int, set[str]]:
        out: dict[int, set[str]] = defaultdict(set)
        rows = self.session.execute(
            select(GroupNodeRow.group_id, GroupNodeRow.node)
            .join(GroupRow, GroupRow.id == GroupNodeRow.group_id)
            .where(GroupRow.origin == "network")
        )
        for gid, node in rows:
            out[gid].add(node)
        return out

    def _owners(self, nodes: set[str]) -> dict[str, int]:
        """Persons known to use these identifiers (from person records and reports)."""
        owners: dict[str, int] = {}
        keys = sorted(nodes)
        for start in range(0, len(keys), 500):
            rows = self.session.execute(
                select(PersonIdentifierRow.graph_key, PersonIdentifierRow.person_id).where(
                    PersonIdentifierRow.graph_key.in_(keys[start : start + 500])
                )
            )
            for key, pid in rows:
                owners.setdefault(key, pid)
        return owners

    def _new_group(self) -> int:
        row = GroupRow(name="(unnamed network)", aliases=[], origin="network")
        self.session.add(row)
        self.session.flush()
        return row.id

    def _write(self, gid: int, group: GroupFound, owners: dict[str, int]) -> None:
        self.session.execute(delete(GroupNodeRow).where(GroupNodeRow.group_id == gid))
        self.session.execute(delete(MembershipRow).where(MembershipRow.group_id == gid))
        self.session.execute(delete(SiteRow).where(SiteRow.group_id == gid))
        best: dict[int, str] = {}
        for rank, m in enumerate(group.members, start=1):
            pid = owners.get(m.node)
            self.session.add(
                GroupNodeRow(
                    group_id=gid,
                    node=m.node,
                    kind=m.kind,
                    role=m.role,
                    score=m.score,
                    rank=rank,
                    evidence=m.evidence,
                    person_id=pid,
                )
            )
            if pid is not None and (
                pid not in best or ROLE_ORDER.index(m.role) < ROLE_ORDER.index(best[pid])
            ):
                best[pid] = m.role
        for pid, role in best.items():
            self.session.add(MembershipRow(person_id=pid, group_id=gid, role=role))
        region = group.sites[0].region if group.sites else "unknown place"
        for k, s in enumerate(group.sites, start=1):
            self.session.add(
                SiteRow(
                    name=f"compound near {s.region or 'unknown'} #{gid}.{k}",
                    latitude=s.lat,
                    longitude=s.lon,
                    country=s.country,
                    region=s.region,
                    radius_km=s.radius_km,
                    group_id=gid,
                )
            )
        row = self.session.get(GroupRow, gid)
        assert row is not None
        row.name = f"network {gid} ({region})"

    def groups(self) -> list[GroupView]:
        out = []
        for g in self.session.scalars(select(GroupRow).order_by(GroupRow.id)):
            nodes = list(
                self.session.scalars(
                    select(GroupNodeRow)
                    .where(GroupNodeRow.group_id == g.id)
                    .order_by(GroupNodeRow.rank)
                )
            )
            persons = len({n.person_id for n in nodes if n.person_id is not None})
            sites = list(self.session.scalars(select(SiteRow).where(SiteRow.group_id == g.id)))
            out.append(GroupView(g.id, g.name, len(nodes), persons, nodes[:3], sites))
        return out

    def nodes(self, group_id: int) -> list[GroupNodeRow]:
        return list(
            self.session.scalars(
                select(GroupNodeRow)
                .where(GroupNodeRow.group_id == group_id)
                .order_by(GroupNodeRow.rank)
            )
        )

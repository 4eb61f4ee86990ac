"""Groups found by network analysis: saved with their identifiers, roles, persons and sites.

A new run updates the groups of the previous one rather than replacing them: each
found group takes the id of the earlier network group it shares most identifiers
with, so cases opened from a group keep pointing at it. Groups an analyst created
(origin "manual") are never touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.orm import Session

from scamnet.core.entities import Group, GroupMember, Membership
from scamnet.core.roles import Role
from scamnet.store.audit import AuditLog
from scamnet.store.groups import GroupRepository, SiteRepository
from scamnet.store.models import (
    AlertRow,
    GroupRow,
    MembershipRow,
    PersonIdentifierRow,
    SiteRow,
    VictimReportRow,
)
from scamnet.store.tables.network import GroupNodeRow


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    name: str
    size: int
    persons: int
    leaders: list[GroupNodeRow]
    sites: list[SiteRow]


# Only persons' roles are memberships; a person's role is the highest of their identifiers.
LEADERS = 3  # the nodes a group listing names
ROLE_ORDER = ["mastermind", "organiser", "key_member", "member", "recruiter", "money_mule"]


class NetworkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, found: Sequence[Group], actor: str) -> list[int]:
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

    def _write(self, gid: int, group: Group, owners: dict[str, int]) -> None:
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
                    confidence=m.confidence,
                )
            )
            if pid is not None and (
                pid not in best or ROLE_ORDER.index(m.role) < ROLE_ORDER.index(best[pid])
            ):
                best[pid] = m.role
        groups = GroupRepository(self.session)
        for pid, role in best.items():
            groups.set_role(Membership(pid, gid, Role(role)))
        region = group.sites[0].region if group.sites else "unknown place"
        sites = SiteRepository(self.session)
        for k, s in enumerate(group.sites, start=1):
            sites.add(
                replace(s, name=f"compound near {s.region or 'unknown'} #{gid}.{k}", group_id=gid)
            )
        row = self.session.get(GroupRow, gid)
        assert row is not None
        row.name = f"network {gid} ({region})"

    def groups(self, group_id: int | None = None) -> list[GroupView]:
        """Every group (or the one ``group_id``) with its size, persons, top three nodes
        and sites: four queries whatever the number of groups and nodes (the pages list
        the groups on every load, so no node is loaded that is not shown)."""
        query = select(GroupRow).order_by(GroupRow.id)
        if group_id is not None:
            query = query.where(GroupRow.id == group_id)
        rows = list(self.session.scalars(query))
        ids = [g.id for g in rows]
        if not ids:
            return []
        counts = {
            gid: (size, persons)
            for gid, size, persons in self.session.execute(
                select(
                    GroupNodeRow.group_id,
                    func.count(),
                    func.count(distinct(GroupNodeRow.person_id)),
                )
                .where(GroupNodeRow.group_id.in_(ids))
                .group_by(GroupNodeRow.group_id)
            )
        }
        # Ranks run 1..n within a group (``_write``): the top three are rank <= 3.
        leaders: dict[int, list[GroupNodeRow]] = defaultdict(list)
        for node in self.session.scalars(
            select(GroupNodeRow)
            .where(GroupNodeRow.group_id.in_(ids), GroupNodeRow.rank <= LEADERS)
            .order_by(GroupNodeRow.group_id, GroupNodeRow.rank)
        ):
            leaders[node.group_id].append(node)
        sites: dict[int, list[SiteRow]] = defaultdict(list)
        for site in self.session.scalars(
            select(SiteRow).where(SiteRow.group_id.in_(ids)).order_by(SiteRow.id)
        ):
            sites[site.group_id].append(site)  # type: ignore[index]
        return [
            GroupView(g.id, g.name, *counts.get(g.id, (0, 0)), leaders[g.id][:LEADERS], sites[g.id])
            for g in rows
        ]

    def group(self, group_id: int) -> GroupView | None:
        """One group's view, or None."""
        found = self.groups(group_id)
        return found[0] if found else None

    def members(self, group_id: int) -> list[GroupMember]:
        """A found group's identifiers, ringleaders first, with confidence and evidence."""
        return [
            GroupMember(r.node, r.kind, r.role, r.score, r.evidence, r.confidence, r.person_id)
            for r in self.nodes(group_id)
        ]

    def seed_evidence(
        self, min_score: float
    ) -> tuple[list[tuple[str, str, float]], list[tuple[str | None, str | None]]]:
        """What the network grows from: alerts on numbers and accounts scoring at least
        ``min_score`` that no analyst marked false, as (kind, subject, score); and each
        victim report's (scammer phone, scammer account)."""
        alerts = self.session.execute(
            select(AlertRow.kind, AlertRow.subject, AlertRow.score).where(
                AlertRow.score >= min_score,
                AlertRow.kind.in_(("subscriber", "account")),
                AlertRow.verdict.is_distinct_from("false_positive"),
            )
        )
        reports = self.session.execute(
            select(VictimReportRow.scammer_phone, VictimReportRow.scammer_account)
        )
        return [(k, s, float(x)) for k, s, x in alerts], [(p, a) for p, a in reports]

    def nodes(self, group_id: int) -> list[GroupNodeRow]:
        return list(
            self.session.scalars(
                select(GroupNodeRow)
                .where(GroupNodeRow.group_id == group_id)
                .order_by(GroupNodeRow.rank)
            )
        )

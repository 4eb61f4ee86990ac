"""Criminal groups, their members' roles, and the sites they work from."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.entities import Group, Membership, Site
from scamnet.core.roles import Role
from scamnet.store.models import GroupRow, MembershipRow, SiteRow


class UnknownGroup(LookupError):
    """No group has that id."""


class GroupRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, group: Group) -> Group:
        """Store a group's name, aliases and origin; its id is set on ``group``."""
        row = GroupRow(name=group.name, aliases=list(group.aliases), origin=group.origin)
        self.session.add(row)
        self.session.flush()
        group.id = row.id
        return group

    def get(self, group_id: int) -> Group:
        row = self.session.get(GroupRow, group_id)
        if row is None:
            raise UnknownGroup(f"no group with id {group_id}")
        return _group(row)

    def all(self) -> list[Group]:
        return [_group(r) for r in self.session.scalars(select(GroupRow).order_by(GroupRow.id))]

    def set_role(self, membership: Membership) -> None:
        """Add a member, or change the role of an existing one."""
        row = self.session.get(MembershipRow, (membership.person_id, membership.group_id))
        if row is None:
            self.session.add(
                MembershipRow(
                    person_id=membership.person_id,
                    group_id=membership.group_id,
                    role=membership.role.value,
                )
            )
        else:
            row.role = membership.role.value
        self.session.flush()

    def members(self, group_id: int) -> list[Membership]:
        """Members ordered from the top of the hierarchy down."""
        rows = self.session.scalars(select(MembershipRow).where(MembershipRow.group_id == group_id))
        found = [Membership(r.person_id, r.group_id, Role(r.role)) for r in rows]
        return sorted(found, key=lambda m: (m.role.rank, m.person_id))


class SiteRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, site: Site) -> Site:
        """Store a site; returns it with its id."""
        row = SiteRow(
            name=site.name or f"site near {site.region or site.country}",
            latitude=site.lat,
            longitude=site.lon,
            country=site.country,
            region=site.region,
            radius_km=site.radius_km,
            group_id=site.group_id,
        )
        self.session.add(row)
        self.session.flush()
        return replace(site, name=row.name, id=row.id)

    def of_group(self, group_id: int) -> list[Site]:
        rows = self.session.scalars(
            select(SiteRow).where(SiteRow.group_id == group_id).order_by(SiteRow.id)
        )
        return [_site(r) for r in rows]

    def all(self) -> list[Site]:
        return [_site(r) for r in self.session.scalars(select(SiteRow).order_by(SiteRow.id))]


def _group(row: GroupRow) -> Group:
    return Group(name=row.name, aliases=list(row.aliases), origin=row.origin, id=row.id)


def _site(row: SiteRow) -> Site:
    return Site(
        row.latitude,
        row.longitude,
        row.radius_km,
        row.country,
        row.region or "",
        name=row.name,
        group_id=row.group_id,
        id=row.id,
    )

"""Criminal groups, their members' roles, and the sites they work from."""

from __future__ import annotations

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
        row = GroupRow(name=group.name, aliases=list(group.aliases))
        self.session.add(row)
        self.session.flush()
        group.id = row.id
        return group

    def get(self, group_id: int) -> Group:
        row = self.session.get(GroupRow, group_id)
        if row is None:
            raise UnknownGroup(f"no group with id {group_id}")
        return Group(name=row.name, aliases=list(row.aliases), id=row.id)

    def all(self) -> list[Group]:
        rows = self.session.scalars(select(GroupRow).order_by(GroupRow.id))
        return [Group(name=r.name, aliases=list(r.aliases), id=r.id) for r in rows]

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
        row = SiteRow(
            name=site.name,
            latitude=site.latitude,
            longitude=site.longitude,
            country=site.country,
            region=site.region,
            radius_km=site.radius_km,
            group_id=site.group_id,
        )
        self.session.add(row)
        self.session.flush()
        site.id = row.id
        return site

    def of_group(self, group_id: int) -> list[Site]:
        rows = self.session.scalars(
            select(SiteRow).where(SiteRow.group_id == group_id).order_by(SiteRow.id)
        )
        return [_site(r) for r in rows]

    def all(self) -> list[Site]:
        return [_site(r) for r in self.session.scalars(select(SiteRow).order_by(SiteRow.id))]


def _site(row: SiteRow) -> Site:
    return Site(
        name=row.name,
        latitude=row.latitude,
        longitude=row.longitude,
        country=row.country,
        region=row.region,
        group_id=row.group_id,
        radius_km=row.radius_km,
        id=row.id,
    )

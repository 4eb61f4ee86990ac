"""Counters for rate limits, sharing rules and agency trees: plain queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from scamnet.core.access import Actor, Visibility, agencies_below
from scamnet.store.models import AgencyRow
from scamnet.store.tables.access import AgencyShareRow, RateLimitRow


def hit(session: Session, key: str, window: timedelta, now: datetime | None = None) -> int:
    """Count one request under ``key`` and return the count in the current window.

    One atomic upsert, so concurrent workers on PostgreSQL or SQLite never lose a hit.
    """
    now = now or datetime.now(UTC)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(RateLimitRow).values(key=key[:128], window_start=now, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RateLimitRow.key], set_={"count": RateLimitRow.count + 1}
    )
    session.execute(stmt)
    row = session.get(RateLimitRow, key[:128], populate_existing=True)
    assert row is not None
    if row.window_start + window <= now:  # the window is over: this hit starts a new one
        session.execute(
            update(RateLimitRow)
            .where(RateLimitRow.key == row.key)
            .values(window_start=now, count=1)
        )
        return 1
    return row.count


@dataclass(frozen=True, slots=True)
class Share:
    id: int
    owner: str
    grantee: str
    ceiling: str
    created_by: str
    created_at: datetime


class ShareStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, owner: str, grantee: str, ceiling: str, by: str) -> Share:
        row = AgencyShareRow(
            owner=owner,
            grantee=grantee,
            ceiling=ceiling,
            created_by=by,
            created_at=datetime.now(UTC),
        )
        self.session.add(row)
        self.session.flush()
        return _share(row)

    def revoke(self, share_id: int) -> Share | None:
        row = self.session.get(AgencyShareRow, share_id)
        if row is None or row.revoked_at is not None:
            return None
        row.revoked_at = datetime.now(UTC)
        return _share(row)

    def active(self, grantee: str | None = None) -> list[Share]:
        q = select(AgencyShareRow).where(AgencyShareRow.revoked_at.is_(None))
        if grantee is not None:
            q = q.where(AgencyShareRow.grantee == grantee)
        return [_share(r) for r in self.session.scalars(q.order_by(AgencyShareRow.id))]


def _share(row: AgencyShareRow) -> Share:
    return Share(row.id, row.owner, row.grantee, row.ceiling, row.created_by, row.created_at)


def descendants(session: Session, code: str) -> frozenset[str]:
    """``code`` and every agency below it in the hierarchy."""
    rows = session.execute(select(AgencyRow.id, AgencyRow.code, AgencyRow.parent_id)).all()
    return agencies_below([(r[0], r[1], r[2]) for r in rows], code)


def visibility(session: Session, actor: Actor) -> Visibility:
    """The actor's own agencies, and the others' records it may read by a sharing rule."""
    return Visibility.of(
        actor, ((s.owner, s.ceiling) for s in ShareStore(session).active(actor.agency))
    )

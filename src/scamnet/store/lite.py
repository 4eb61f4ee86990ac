"""A light read path into the embedded store, on the standard library's ``sqlite3``.

Why it exists: a command that only reads (``scamnet case list``) should answer at once,
and importing SQLAlchemy with the store's table classes takes longer than the half
second such a command may take to start. The few reads those commands need are written
here in plain SQL over the same schema. The rules stay in one place
(`scamnet.core.access`, `scamnet.security.acting`, `scamnet.cases.listing`): this module
only reads rows. ``tests/store/test_lite.py`` asks the same questions of this path and of
the repositories over one store and requires equal answers, so the two cannot drift
apart unnoticed.

It opens only an SQLite store that already exists at this version's schema. Anything
else (PostgreSQL, a missing file, a schema that must first be upgraded) gets ``None``
from `LiteStore.open`, and the caller takes the full path, which upgrades or refuses.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from scamnet.core.access import Actor, UserRole, Visibility, agencies_below
from scamnet.core.cases import CaseSummary
from scamnet.store.revision import newest_revision

PREFIX = "sqlite:///"
BUSY_TIMEOUT_S = 5.0  # as the full path's engine waits for a writer


@dataclass(frozen=True, slots=True)
class LiteUser:
    username: str
    agency_code: str | None
    active: bool
    roles: frozenset[UserRole]


class LiteStore:
    """Read-only answers from an SQLite store at the current schema."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.access = _Access(conn)
        self.cases = _Cases(conn)

    @classmethod
    def open(cls, url: str) -> LiteStore | None:
        """The light path into ``url``, or None when only the full path may open it."""
        if not url.startswith(PREFIX) or "?" in url:
            return None
        path = Path(url[len(PREFIX) :])
        if not path.is_file():
            return None
        try:
            # mode=rw: never create a file here (a mistyped path must not make a store).
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True,
                                   timeout=BUSY_TIMEOUT_S)  # fmt: skip
        except sqlite3.Error:
            return None
        try:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:  # no schema yet
            found = None
        if found is None or found[0] != newest_revision():
            conn.close()
            return None
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    # The directory of users that `scamnet.security.acting.acting_user` asks.
    def user(self, username: str) -> LiteUser | None:
        row = self._conn.execute(
            "SELECT u.id, u.username, a.code, u.active FROM users u "
            "LEFT JOIN agencies a ON a.id = u.agency_id WHERE u.username = ?",
            (username,),
        ).fetchone()
        if row is None:
            return None
        roles = self._conn.execute("SELECT role FROM user_roles WHERE user_id = ?", (row[0],))
        return LiteUser(row[1], row[2], bool(row[3]), frozenset(UserRole(r) for (r,) in roles))

    def user_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM users").fetchone()[0])

    def descendants(self, code: str) -> frozenset[str]:
        return _descendants(self._conn, code)


def _descendants(conn: sqlite3.Connection, code: str) -> frozenset[str]:
    return agencies_below(conn.execute("SELECT id, code, parent_id FROM agencies"), code)


@dataclass(frozen=True, slots=True)
class _Access:
    conn: sqlite3.Connection

    def visibility(self, actor: Actor) -> Visibility:
        rows = self.conn.execute(
            "SELECT owner, ceiling FROM agency_shares WHERE revoked_at IS NULL AND grantee = ? "
            "ORDER BY id",
            (actor.agency,),
        )
        return Visibility.of(actor, rows)


@dataclass(frozen=True, slots=True)
class _Cases:
    conn: sqlite3.Connection

    def cases(self) -> list[CaseSummary]:
        rows = self.conn.execute(
            "SELECT c.reference, c.title, c.origin, c.origin_ref, c.agency, c.opened_by, "
            "c.opened_at, (SELECT count(*) FROM suspects s WHERE s.case_id = c.id), c.handling "
            "FROM cases c ORDER BY c.id"
        )
        return [CaseSummary(r[0], r[1], r[2], r[3], r[4], r[5], _utc(r[6]), r[7], r[8])
                for r in rows]  # fmt: skip


def _utc(stored: str) -> datetime:
    """A timestamp as `scamnet.store.types.UtcDateTime` writes it on SQLite (naive UTC)."""
    value = datetime.fromisoformat(stored)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

"""A bearer token's facts in one statement: the light read path of every authenticated request.

Each authenticated request used to cost about 5.3 ms of CPU before its route ran: the
token and its user through the ORM, then the user's agency code and roles (two more
queries, `scamnet.store.users.UserRepository._to_domain`), then every agency of the
instance to work out the agencies below the user's (`scamnet.store.access.descendants`).
Here the same facts come from **one** statement on the unit of work's own connection
(so they belong to the same snapshot as the route's reads): the token and its user, the
user's roles, its agency and every agency below it, the last through a recursive common
table expression, so nothing is cached and nothing can go stale. A token revoked, a user
disabled, a role or an agency changed is seen by the very next request.

The rules (revoked, expired, disabled, the CSRF token) stay in
`scamnet.security.auth.authenticate`; this module only reads rows.
``tests/store/test_token_reads.py`` holds it against the repositories' answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from scamnet.core.access import UserRole

# Every row says which fact it carries in its first column.
TOKEN, ROLE, OWN, BELOW = 0, 1, 2, 3
MAX_DEPTH = 64  # an agency tree is a few levels deep; a corrupt cycle must not loop forever

# Every name below is a constant of this module; the token's hash is a bound parameter.
_SQL = f"""
WITH RECURSIVE tok AS (
  SELECT u.id AS user_id, u.username, u.active, u.agency_id,
         t.csrf_hash, t.expires_at, t.revoked_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id
  WHERE t.token_hash = {{mark}}
), below (id, code, depth) AS (
  SELECT a.id, a.code, 0 FROM agencies a JOIN tok ON a.id = tok.agency_id
  UNION ALL
  SELECT a.id, a.code, b.depth + 1 FROM agencies a JOIN below b ON a.parent_id = b.id
  WHERE b.depth < {MAX_DEPTH}
)
SELECT {TOKEN}, username, csrf_hash, expires_at, revoked_at, active FROM tok
UNION ALL
SELECT {ROLE}, r.role, NULL, NULL, NULL, NULL FROM user_roles r JOIN tok ON r.user_id = tok.user_id
UNION ALL
SELECT CASE WHEN depth = 0 THEN {OWN} ELSE {BELOW} END, code, NULL, NULL, NULL, NULL FROM below
"""  # noqa: S608
_BY_STYLE = {"qmark": _SQL.format(mark="?"), "format": _SQL.format(mark="%s")}


@dataclass(frozen=True, slots=True)
class TokenFacts:
    """What a presented token stands for, as stored."""

    username: str
    active: bool
    roles: frozenset[UserRole]
    agency: str  # "" for a user of no agency
    scope: frozenset[str]  # the agency and every agency below it (empty without one)
    csrf_hash: str
    expires_at: datetime
    revoked: bool


def token_facts(session: Session, token_hash: str) -> TokenFacts | None:
    """The token with hash ``token_hash`` and its user, or None when no token has it."""
    connection = session.connection()
    sql = _BY_STYLE["qmark" if connection.dialect.paramstyle == "qmark" else "format"]
    # A DBAPI cursor, not ``session.execute``: no statement to build or cache, no ORM
    # result, and the unit of work does not take this read for a write.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, (token_hash,))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    head = None
    roles: set[UserRole] = set()
    own = ""
    below: set[str] = set()
    for tag, text, csrf, expires, revoked, active in rows:
        if tag == TOKEN:
            head = (text, csrf, expires, revoked, active)
        elif tag == ROLE:
            roles.add(UserRole(text))
        elif tag == OWN:
            own = text
        else:
            below.add(text)
    if head is None:
        return None
    username, csrf, expires, revoked, active = head
    scope = frozenset({own} | below) if own else frozenset()
    return TokenFacts(username, bool(active), frozenset(roles), own, scope, csrf,
                      _utc(expires), revoked is not None)  # fmt: skip


def _utc(stored: datetime | str) -> datetime:
    """A timestamp as `scamnet.store.types.UtcDateTime` stores it: aware on PostgreSQL,
    naive UTC text on SQLite."""
    value = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

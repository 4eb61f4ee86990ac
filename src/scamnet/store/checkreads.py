"""The citizens' check's read path: one prepared statement, no ORM, no unit of work.

The public check is the busiest route and reads two indexed facts about one
identifier (`scamnet.store.lookup.report_fraud_types` and `confirmed_alert_labels`).
Through the ORM those two queries cost about 1.4 ms of CPU (building the statements,
their cache keys, the session, the pool's ping); the lookups themselves, in SQLite,
take some 20 µs. Here both are one statement, written once per identifier kind and
run on a DBAPI cursor in autocommit: a single statement reads one snapshot, and the
driver keeps it prepared (sqlite3's statement cache; psycopg prepares a statement
after its fifth run).

Connections come from a small pool of this reader's own, not the store's: the check
must not wait behind units of work, and they behind it. On SQLite they are files, and
a read in WAL mode never waits for the writer, so the API may run it on its event loop
(``inline``); ``query_only`` makes sure nothing is ever written through them. On
PostgreSQL they are server slots: ``CONNECTIONS`` per API process, on top of the
store's pool (docs/scale.md counts them). A check holds one for a single round trip,
so two serve thousands of checks a second.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from scamnet.store.database import Store

# Which report column and which alert kinds name an identifier of each internal kind
# (the same as `scamnet.store.lookup`, which a test holds this against).
_REPORT_COLUMN = {"tel": "scammer_phone", "acct": "scammer_account", "url": "scammer_url"}
_ALERT_KINDS = {"tel": ("subscriber",), "acct": ("account",), "url": ("url",)}
# SQLite, without statistics, reads ``verdict = 'confirmed'`` off the verdict index and
# walks every confirmed alert; COALESCE hides that index, so the subject's is used.
_CONFIRMED = "COALESCE(verdict, '') = 'confirmed'"
REPORTS, CONFIRMED = 0, 1  # the first column of each row says which fact it carries
BUSY_MS = 100  # a read that waits longer (a WAL recovery) is left to the full route
CONNECTIONS = 2


def _statement(kind: str, mark: str) -> str | None:
    # Every name and literal below comes from this module's constants, never from input;
    # the value is always a bound parameter (``mark``).
    parts = []
    column = _REPORT_COLUMN.get(kind)
    if column is not None:
        parts.append(f"SELECT {REPORTS}, fraud_type, COUNT(*) FROM victim_reports "  # noqa: S608
                     f"WHERE {column} = {mark} GROUP BY fraud_type")  # fmt: skip
    kinds = _ALERT_KINDS.get(kind)
    if kinds:
        listed = ", ".join(f"'{k}'" for k in kinds)
        parts.append(f"SELECT {CONFIRMED}, label, 1 FROM alerts WHERE subject = {mark} "  # noqa: S608
                     f"AND kind IN ({listed}) AND {_CONFIRMED}")  # fmt: skip
    return " UNION ALL ".join(parts) or None


def _sqlite_reader(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.close()


class CheckReads:
    """What the store says about one identifier, for the public check (thread-safe)."""

    @classmethod
    def open(cls, store: Store) -> CheckReads | None:
        """The reader of ``store``, or None for an in-memory SQLite store: each of its
        connections would see another, empty database."""
        if store.dialect == "sqlite" and make_url(store.url).database in (None, "", ":memory:"):
            return None
        return cls(store)

    def __init__(self, store: Store, connections: int | None = None) -> None:
        self.dialect = store.dialect
        self.inline = self.dialect == "sqlite"
        size = connections or CONNECTIONS
        # No ping on checkout (it is a round trip per check): a connection that fails
        # is discarded (``_failed``) and the next check opens a new one.
        self._engine = create_engine(
            store.url, pool_size=size, max_overflow=0, pool_pre_ping=False,
            pool_reset_on_return=None, isolation_level="AUTOCOMMIT", hide_parameters=True,
        )  # fmt: skip
        if self.inline:
            event.listen(self._engine, "connect", _sqlite_reader)
        mark = "?" if self.inline else "%s"
        self._sql = {kind: _statement(kind, mark) for kind in _REPORT_COLUMN | _ALERT_KINDS}
        self.statements = 0  # statements run, for tests (one per check, none for a wallet)

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """What a read raises when the store is locked or unreachable."""
        return (DBAPIError, self._engine.dialect.loaded_dbapi.Error)

    def facts(self, kind: str, value: str) -> tuple[dict[str, int], list[str]]:
        """Victim reports naming ``value`` counted by fraud type, and the labels of its
        confirmed alerts (``kind`` is the internal kind: tel, acct, url, wallet...)."""
        sql = self._sql.get(kind)
        if sql is None:
            return {}, []
        params = (value, value) if kind in _REPORT_COLUMN and kind in _ALERT_KINDS else (value,)
        conn = self._engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            cursor.close()
        except BaseException:
            conn.invalidate()  # a broken connection never goes back to the pool
            raise
        finally:
            conn.close()  # back to the pool (or discarded, when invalidated)
        self.statements += 1
        types: dict[str, int] = {}
        confirmed: list[str] = []
        for which, text, n in rows:
            if which == REPORTS:
                types[text] = int(n)
            else:
                confirmed.append(text)
        return types, confirmed

    def close(self) -> None:
        self._engine.dispose()

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

On PostgreSQL the API reads through `afacts`, awaited on the event loop (the
thread-pool hop cost more than the round trip), up to ``SCAMNET_DB_POOL_SIZE`` checks
at once. Both PostgreSQL paths drive libpq itself (psycopg's ``pq``): each connection
prepares the statement of a kind once and a check is one ``exec_prepared``, with no
cursor, adaptation or transaction object. psycopg's asyncio cursor cost the loop about
180 µs of CPU per check at 32 at once, the libpq path about 75 µs (BENCHMARKS.md, issue
17). The connections stay in autocommit, so every statement is its own snapshot and
sees every write committed before it. `facts` (the synchronous path, for callers
without an event loop) holds one connection per thread, as on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Sequence
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
HELD_SPARE = 8  # SQLite: connections beyond CONNECTIONS for threads reading at once


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
            store.url, pool_size=size, max_overflow=HELD_SPARE if self.inline else 0,
            pool_pre_ping=False,
            pool_reset_on_return=None, isolation_level="AUTOCOMMIT", hide_parameters=True,
        )  # fmt: skip
        if self.inline:
            event.listen(self._engine, "connect", _sqlite_reader)
        # PostgreSQL's statements are prepared by libpq itself: its own placeholder ($1,
        # the identifier, used by both parts of the statement).
        mark = "?" if self.inline else "$1"
        self._conninfo = _conninfo(store.url)
        self._sql = {kind: _statement(kind, mark) for kind in _REPORT_COLUMN | _ALERT_KINDS}
        self.statements = 0  # statements run, for tests (one per check, none for a wallet)
        self.asynchronous = self.dialect == "postgresql"
        # Awaited reads are in flight while the loop serves other requests: as many as
        # the store's pool size (SCAMNET_DB_POOL_SIZE), so a slow round trip under load
        # does not cap the checks a second at two per round trip.
        slots = max(size, store.pool.size) if store.pool is not None and not connections else size
        self._pool = _AsyncPool(store.url, slots) if self.asynchronous else None
        # SQLite: each thread that reads keeps one connection and its cursor (the API
        # reads on its event loop: one thread, one connection). Checking a connection
        # out of the pool and back cost 30 of a read's 45 µs, and that CPU is the event
        # loop's, which every other request waits for (BENCHMARKS.md, issue 17).
        # A thread that ended gives its connection back when the next thread opens one.
        self._held = threading.local()
        self._all_held: list[tuple[Any, Any]] = []
        self._holders: dict[int, threading.Thread] = {}  # id of a held pair -> its thread
        self._held_lock = threading.Lock()

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
        both = self.dialect == "sqlite" and kind in _REPORT_COLUMN and kind in _ALERT_KINDS
        params = (value, value) if both else (value,)
        return self._held_facts(kind, sql, params)

    def _held_facts(self, kind: str, sql: str,
                    params: tuple[str, ...]) -> tuple[dict[str, int], list[str]]:  # fmt: skip
        """`facts` on this thread's own connection, kept between reads."""
        held = getattr(self._held, "cursor", None)
        if held is None:
            with self._held_lock:
                gone = [h for h in self._all_held if not self._holders[id(h)].is_alive()]
            for h in gone:
                self._release(h)
            held = self._open_held()
            with self._held_lock:
                self._all_held.append(held)
                self._holders[id(held)] = threading.current_thread()
            self._held.cursor = held
        arg = _param(params[0]) if isinstance(held[0], _Libpq) else []
        try:
            if isinstance(held[0], _Libpq):
                name = _prepare_sync(held[0], kind, sql)
                res = held[0].pg.exec_prepared(name.encode(), arg)
                rows: Sequence[Any] = _rows(res)
            else:
                held[1].execute(sql, params)
                rows = held[1].fetchall()
        except BaseException:
            # A connection that failed once is not trusted again: the next read opens one.
            self._held.cursor = None
            self._release(held, invalidate=True)
            raise
        self.statements += 1
        return _facts(rows)

    def _open_held(self) -> tuple[Any, Any]:
        """A connection for this thread alone: a pooled SQLite one with its cursor, or a
        libpq connection of its own on PostgreSQL (no pool: it is never given back)."""
        if self.dialect == "postgresql":
            import psycopg

            conn = psycopg.connect(self._conninfo, autocommit=True, application_name=_app_name(),
                                   client_encoding="UTF8")  # fmt: skip
            return _Libpq(conn), None
        pooled = self._engine.raw_connection()
        return pooled, pooled.dbapi_connection.cursor()  # type: ignore[union-attr]

    def _release(self, held: tuple[Any, Any], invalidate: bool = False) -> None:
        with self._held_lock:
            if held not in self._all_held:
                return
            self._all_held.remove(held)
            del self._holders[id(held)]
        conn, cursor = held
        if isinstance(conn, _Libpq):
            conn.close()
            return
        try:
            cursor.close()
        except Exception:  # the connection is being discarded anyway
            invalidate = True
        if invalidate:
            conn.invalidate()
        conn.close()

    async def afacts(self, kind: str, value: str) -> tuple[dict[str, int], list[str]]:
        """`facts` awaited on the running event loop (PostgreSQL only)."""
        sql = self._sql.get(kind)
        if sql is None:
            return {}, []
        if self._pool is None:
            raise RuntimeError("only PostgreSQL is read asynchronously")
        rows = await self._pool.fetch(kind, sql, (value,))
        self.statements += 1
        return _facts(rows)

    def close(self) -> None:
        """Close every connection, the ones threads hold included."""
        for held in list(self._all_held):
            self._release(held)
        self._engine.dispose()
        if self._pool is not None:
            self._pool.close()


def _facts(rows: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    types: dict[str, int] = {}
    confirmed: list[str] = []
    for which, text, n in rows:
        if which == REPORTS:
            types[text] = int(n)
        else:
            confirmed.append(text)
    return types, confirmed


class _Libpq:
    """One PostgreSQL connection driven through libpq itself (psycopg's ``pq``).

    The check's statements are prepared on it once (by kind, ``chk_<kind>``) and each
    check is one ``exec_prepared``: no cursor, no adaptation, no transaction object. In
    autocommit every statement is its own transaction, so each check sees every write
    committed before it. A connection whose statement failed is closed, never reused.
    """

    def __init__(self, conn: Any) -> None:
        self._conn = conn  # psycopg's connection object: keeps the libpq one open
        self.pg = conn.pgconn
        self.prepared: set[str] = set()
        self.waiter: asyncio.Future[None] | None = None
        self.fd: int = self.pg.socket
        self.broken = False

    def close(self) -> None:
        self.pg.finish()


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _app_name() -> str:
    # Named like the store's own (`scamnet-<pid>`), so pg_stat_activity tells them apart.
    return f"scamnet-{os.getpid()}-check"


def _rows(res: Any) -> list[tuple[int, str, int]]:
    from psycopg import OperationalError, pq

    if res.status != pq.ExecStatus.TUPLES_OK:
        raise OperationalError((res.error_message or b"").decode("utf-8", "replace"))
    value = res.get_value
    return [(int(value(i, 0)), value(i, 1).decode(), int(value(i, 2)))
            for i in range(res.ntuples)]  # fmt: skip


def _param(value: str) -> list[bytes]:
    """The identifier as libpq's text parameter (what psycopg would send)."""
    if "\x00" in value:  # libpq's text ends at a NUL: the server would read another value
        from psycopg import DataError

        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return [value.encode()]


def _prepare_sync(held: _Libpq, kind: str, sql: str) -> str:
    name = f"chk_{kind}"
    if kind not in held.prepared:
        _prepared(held.pg.prepare(name.encode(), sql.encode()))
        held.prepared.add(kind)
    return name


def _prepared(res: Any) -> None:
    """Raise unless ``res`` says a statement was prepared."""
    from psycopg import OperationalError, pq

    if res.status != pq.ExecStatus.COMMAND_OK:
        raise OperationalError((res.error_message or b"").decode("utf-8", "replace"))


class _AsyncPool:
    """At most ``size`` libpq connections in non-blocking mode, awaited on the event loop.

    Each connection's socket is watched by the loop for as long as the connection lives
    (no registration per check), and a check sends its prepared statement, awaits the
    socket, and reads the result: about 0.1 ms of the loop's CPU, where psycopg's
    asyncio cursor took 0.22 ms (BENCHMARKS.md, issue 17).
    Connections belong to the event loop that opened them: asked from another loop (a
    test client starts one per app run), the pool drops its old ones and opens anew.
    """

    def __init__(self, url: str, size: int) -> None:
        self._conninfo = _conninfo(url)
        self._size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(size)
        self._idle: list[_Libpq] = []
        self._generation = 0  # which loop's connections are current

    async def fetch(self, kind: str, sql: str, params: tuple[str, ...]) -> list[Any]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self.close()
            self._loop, self._slots = loop, asyncio.Semaphore(self._size)
        slots, generation = self._slots, self._generation
        arg = _param(params[0])
        async with slots:
            held = self._idle.pop() if self._idle else await self._connect(loop)
            if held.broken:  # the server ended it while idle
                self._drop(loop, held)
                held = await self._connect(loop)
            try:
                if kind not in held.prepared:
                    _prepared(await self._run(loop, held, lambda: held.pg.send_prepare(
                        f"chk_{kind}".encode(), sql.encode())))  # fmt: skip
                    held.prepared.add(kind)
                rows = _rows(await self._run(loop, held, lambda: held.pg.send_query_prepared(
                    f"chk_{kind}".encode(), arg)))  # fmt: skip
            except BaseException:
                self._drop(loop, held)  # a broken connection never goes back
                raise
            if generation == self._generation:
                self._idle.append(held)
            else:  # opened for a loop since left
                self._drop(loop, held)
        return rows

    @staticmethod
    async def _run(loop: asyncio.AbstractEventLoop, held: _Libpq, send: Any) -> Any:
        """Send one command and await its single result."""
        send()
        while held.pg.flush():  # a few dozen bytes: virtually always sent at once
            await asyncio.sleep(0)
        held.waiter = loop.create_future()
        try:
            await held.waiter
        finally:
            held.waiter = None
        res = held.pg.get_result()
        while held.pg.get_result() is not None:  # the command's end
            pass
        return res

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> _Libpq:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, application_name=_app_name(),
            client_encoding="UTF8",
        )  # fmt: skip
        held = _Libpq(conn)
        held.pg.nonblocking = 1
        loop.add_reader(held.fd, self._readable, held)
        return held

    @staticmethod
    def _readable(held: _Libpq) -> None:
        waiter = held.waiter
        try:
            held.pg.consume_input()
        except Exception as exc:  # the server closed it: fail the check waiting, if any
            held.broken = True
            asyncio.get_running_loop().remove_reader(held.fd)  # or EOF wakes the loop forever
            if waiter is not None and not waiter.done():
                waiter.set_exception(exc)
            return
        if waiter is not None and not waiter.done() and not held.pg.is_busy():
            waiter.set_result(None)

    def _drop(self, loop: asyncio.AbstractEventLoop | None, held: _Libpq) -> None:
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(Exception):
                loop.remove_reader(held.fd)
        held.close()

    def close(self) -> None:
        """Close the idle connections (synchronously: their loop may be gone)."""
        for held in self._idle:
            self._drop(self._loop, held)
        self._idle = []
        self._generation += 1

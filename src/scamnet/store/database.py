"""Opening the store and bringing its schema up to date."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from scamnet.store.auditgroup import GROUP_KEY, WROTE_KEY, GroupAppender
from scamnet.store.revision import MIGRATIONS, newest_revision

if TYPE_CHECKING:  # Alembic is imported when migrating: reading a store needs none of it
    from alembic.config import Config

# The key of the transaction-scoped advisory lock that serialises migrations on PostgreSQL
# ("migrate" in ASCII): several `scamnet serve` or `db upgrade` processes starting
# at once upgrade the schema one after the other, and the later ones find it done.
MIGRATION_LOCK = 0x6D696772617465


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """The connection pool of a PostgreSQL store, from the environment.

    Each process holds at most ``size + max_overflow`` connections; the server's
    ``max_connections`` (100 by default) must cover that times the number of
    processes (`scamnet serve` workers, commands), see docs/scale.md. SQLite keeps
    SQLAlchemy's defaults: its connections are files, not server slots.

    Attributes:
        size: ``SCAMNET_DB_POOL_SIZE`` (default 5): connections kept open.
        max_overflow: ``SCAMNET_DB_MAX_OVERFLOW`` (default 10): extra connections
            opened under load and closed when returned.
        timeout_s: ``SCAMNET_DB_POOL_TIMEOUT_S`` (default 30): how long a request
            waits for a free connection before the store is reported unavailable.
        recycle_s: ``SCAMNET_DB_POOL_RECYCLE_S`` (default 1800): connections older
            than this are replaced, before a proxy or firewall drops them silently.
    """

    size: int = 5
    max_overflow: int = 10
    timeout_s: float = 30.0
    recycle_s: int = 1800

    @classmethod
    def from_env(cls) -> PoolSettings:
        return cls(
            size=_env_int("SCAMNET_DB_POOL_SIZE", 5, minimum=1),
            max_overflow=_env_int("SCAMNET_DB_MAX_OVERFLOW", 10, minimum=0),
            timeout_s=float(_env_int("SCAMNET_DB_POOL_TIMEOUT_S", 30, minimum=1)),
            recycle_s=_env_int("SCAMNET_DB_POOL_RECYCLE_S", 1800, minimum=1),
        )

    def engine_options(self) -> dict[str, Any]:
        """Keyword arguments of ``create_engine`` for a PostgreSQL store."""
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.timeout_s,
            "pool_recycle": self.recycle_s,
            # The server's pg_stat_activity names scamnet's connections, and which process.
            "connect_args": {"application_name": f"scamnet-{os.getpid()}"},
        }


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def hold_migration_lock(session: Session) -> None:
    """Serialise this transaction with every migration (PostgreSQL; SQLite has one
    writer anyway): for the steps that complete an upgrade, such as loading the
    reference data, which two upgrades at once would otherwise both insert."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


class MissingExtra(RuntimeError):
    """A backend needs an optional dependency that is not installed."""


def _check_driver(url: str) -> None:
    backend = make_url(url).get_backend_name()
    if backend == "postgresql" and importlib.util.find_spec("psycopg") is None:
        raise MissingExtra("PostgreSQL needs the postgres extra: pip install 'scamnet[postgres]'")


def _normalise(url: str) -> str:
    # A bare postgresql:// URL means psycopg 3, the driver the extra installs.
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # SQLite leaves them off by default
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _no_autocheckpoint(dbapi_conn: Any, _record: Any) -> None:
    # The audit writer's commits leave the checkpoint to the store's checkpointer thread
    # (`scamnet.store.auditgroup`): the readers waiting on a commit must not wait for it.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def _private_file(path: Path) -> None:
    """The SQLite file is 0600, in a directory created 0700 when it is new.

    The process umask is set to 077 too, so the WAL and shared-memory files SQLite
    creates next to it, and anything else this process writes, are owner-only. An
    existing directory is left as it is: it may be a shared one such as /tmp.
    """
    os.umask(0o077)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.exists() and path.stat().st_mode & 0o777 != 0o600:
            path.chmod(0o600)
    except PermissionError:  # not ours: cannot tighten it, leave it
        pass


def _wrote(session: Session, _context: object) -> None:
    session.info[WROTE_KEY] = True


def _maybe_wrote(state: ORMExecuteState) -> None:
    # Anything but a SELECT counts as a write (text() statements included): when in
    # doubt the read is audited in its own transaction, which is always correct.
    if not state.is_select:
        state.session.info[WROTE_KEY] = True


class Store:
    """A handle on the relational store: its engine and a session factory."""

    def __init__(self, url: str, pool: PoolSettings | None = None) -> None:
        _check_driver(url)
        self.url = _normalise(url)
        backend = make_url(self.url).get_backend_name()
        if backend == "sqlite":
            database = make_url(self.url).database
            if database and database != ":memory:":
                _private_file(Path(database))
        # hide_parameters: an error (an IntegrityError in a traceback, the server log)
        # names the statement but never the values bound to it: names, ID numbers.
        options: dict[str, Any] = {}
        self.pool: PoolSettings | None = None  # SQLite: SQLAlchemy's own defaults
        if backend == "postgresql":
            self.pool = pool or PoolSettings.from_env()
            options = self.pool.engine_options()
        self.engine: Engine = create_engine(
            self.url, pool_pre_ping=True, hide_parameters=True, **options
        )
        if backend == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Which units of work have written, so an audited read knows whether it may
        # leave its entry to the group appender (see `scamnet.store.audit.audit_read`).
        event.listen(self._sessions, "after_flush", _wrote)
        event.listen(self._sessions, "do_orm_execute", _maybe_wrote)
        # An in-memory SQLite database is one per connection: the writer's thread would
        # see another, empty one. Such stores append every read in its own transaction.
        memory = backend == "sqlite" and make_url(self.url).database in (None, "", ":memory:")
        checkpoint = self._wal_checkpoint if backend == "sqlite" else None
        self.audits = None if memory else GroupAppender(self._audit_session, checkpoint)
        self._audit_engine: Engine | None = None
        self._checkpoint_conn: Any = None  # the checkpointer thread's own (SQLite)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            if self.audits is not None:
                session.info[GROUP_KEY] = self.audits
            yield session

    @contextmanager
    def _audit_session(self) -> Iterator[Session]:
        """A unit of work for the audit writer, on its own connection.

        Not from the shared pool: readers hold pooled connections while they wait for
        the writer, so under as many readers as the pool holds the writer would wait
        for them and they for it.
        """
        if self._audit_engine is None:
            engine = create_engine(self.url, pool_size=1, max_overflow=0,
                                   pool_pre_ping=True, hide_parameters=True)  # fmt: skip
            if self.dialect == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
                event.listen(engine, "connect", _no_autocheckpoint)
            self._audit_engine = engine
        with Session(self._audit_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def _wal_checkpoint(self) -> None:
        """A passive checkpoint (SQLite): it copies what it can and never waits."""
        if self._checkpoint_conn is None:
            import sqlite3

            path = make_url(self.url).database
            self._checkpoint_conn = sqlite3.connect(str(path), timeout=0, isolation_level=None,
                                                    check_same_thread=False)  # fmt: skip
        self._checkpoint_conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def alembic_config(self) -> Config:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Run the migrations up to ``revision`` (default: the newest)."""
        from alembic import command

        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                # Held until this transaction ends: a second process upgrading at the
                # same moment waits here, then finds the schema at head and does nothing.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            cfg = self.alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def current_revision(self) -> str | None:
        """The revision the database is at, or None for an empty database."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def head_revision(self) -> str | None:
        """The newest revision the code knows."""
        return newest_revision()

    def dispose(self) -> None:
        if self.audits is not None:
            self.audits.close()
        if self._checkpoint_conn is not None:
            self._checkpoint_conn.close()
            self._checkpoint_conn = None
        if self._audit_engine is not None:
            self._audit_engine.dispose()
            self._audit_engine = None
        self.engine.dispose()

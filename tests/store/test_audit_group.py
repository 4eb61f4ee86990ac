"""Audited reads in groups: every entry committed before its reader goes on, the chain
whole, and a unit of work that wrote appends in its own transaction."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from scamnet.store import Store
from scamnet.store.audit import AuditLog, audit_read
from scamnet.store.auditgroup import WROTE_KEY
from scamnet.store.models import AuditRow


def test_concurrent_reads_are_each_committed_and_chained(store: Store) -> None:
    seen: list[bool] = []
    lock = threading.Lock()
    readers = 24  # more than the pool's 15 connections, each held while its reader waits

    def reader(i: int) -> None:
        with store.session() as s:
            s.execute(text("SELECT 1"))  # a reader holds its connection while it waits
            audit_read(s, f"user{i}", "alerts.list", "alerts", {"i": i})
            entries = AuditLog(s).search(f"user{i}", None, 10)
        # Committed before audit_read returned: the reader's own snapshot began
        # earlier on SQLite, so a new unit of work looks.
        with store.session() as other:
            found = any(e.detail == {"i": i} for e in AuditLog(other).search(f"user{i}", None, 10))
        with lock:
            seen.append(found or bool(entries))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [True] * readers
    with store.session() as s:
        log = AuditLog(s)
        assert log.check().ok
        assert {e.actor for e in log.entries()} >= {f"user{i}" for i in range(readers)}


def test_a_unit_of_work_that_wrote_appends_in_its_own_transaction(store: Store) -> None:
    # It holds the write lock (SQLite) by now: handing its entry to the writer would
    # wait on itself. The entry commits, or rolls back, with the rest of the work.
    try:
        with store.session() as s:
            AuditLog(s).append("ana", "alert.verdict", "alert:1")
            assert s.info.get(WROTE_KEY)
            audit_read(s, "ana", "alert.read", "alert:1")
            raise RuntimeError("the work fails")
    except RuntimeError:
        pass
    with store.session() as s:
        assert s.query(AuditRow).count() == 0


def test_a_group_is_appended_with_three_statements_whatever_its_size(store: Store) -> None:
    from sqlalchemy import event

    with store.session() as s:
        AuditLog(s).append("ana", "login", "user:ana")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        for n in (1, 40):
            statements.clear()
            with store.session() as s:
                AuditLog(s).append_many(
                    [(f"user{i}", "alerts.list", "alerts", {"i": i}) for i in range(n)]
                )
            # The lock, the head, one INSERT of every row (then the commit). On PostgreSQL
            # they go on the driver's connection (the lock and the head in one pipeline):
            # no statement through SQLAlchemy at all; the chain's check below holds them.
            expected = ["SELECT", "INSERT"] if store.dialect == "sqlite" else []
            assert statements[1:] == expected, statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    with store.session() as s:
        log = AuditLog(s)
        assert log.check().ok and log.check().count == 42
        assert [e.detail for e in log.entries()][-2:] == [{"i": 38}, {"i": 39}]


def test_sqlite_readers_never_wait_for_a_checkpoint(tmp_path: Path) -> None:
    # The writer's commits do not checkpoint (SQLite would do it inside the commit the
    # readers wait on); the store's checkpointer thread moves the log into the file.
    store = Store(f"sqlite:///{tmp_path / 'scamnet.db'}")
    store.upgrade()
    try:
        appender = store.audits
        assert appender is not None
        with store.session() as s:
            audit_read(s, "ana", "alerts.list", "alerts", {"shown": list(range(50))})
        with store._audit_session() as s:  # the writer's own connection
            assert s.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        checkpointer = appender._checkpointer
        assert checkpointer is not None
        with checkpointer.ran:  # a guard against hanging, not a time limit on the work
            assert checkpointer.ran.wait_for(lambda: appender.checkpoints >= 1, timeout=300)
        with sqlite3.connect(tmp_path / "scamnet.db") as conn:
            busy, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and log == copied  # nothing left that the checkpointer had not moved
        with store.session() as s:
            assert AuditLog(s).check().ok and AuditLog(s).check().count == 1
    finally:
        store.dispose()


def test_only_sqlite_has_a_checkpointer(store: Store) -> None:
    assert store.audits is not None
    assert (store.audits._checkpointer is not None) == (store.dialect == "sqlite")

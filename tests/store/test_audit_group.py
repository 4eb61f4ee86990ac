"""Audited reads in groups: every entry committed before its reader goes on, the chain
whole, and a unit of work that wrote appends in its own transaction."""

from __future__ import annotations

import threading

from scamnet.store import Store
from scamnet.store.audit import AuditLog, audit_read
from scamnet.store.auditgroup import WROTE_KEY
from scamnet.store.models import AuditRow


def test_concurrent_reads_are_each_committed_and_chained(store: Store) -> None:
    seen: list[bool] = []
    lock = threading.Lock()

    def reader(i: int) -> None:
        with store.session() as s:
            audit_read(s, f"user{i}", "alerts.list", "alerts", {"i": i})
            # Committed already: another unit of work sees the entry at once.
            with store.session() as other:
                found = any(e.detail == {"i": i} for e in AuditLog(other).search(
                    f"user{i}", None, 10))  # fmt: skip
            with lock:
                seen.append(found)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [True] * 24
    with store.session() as s:
        log = AuditLog(s)
        assert log.check().ok
        assert {e.actor for e in log.entries()} >= {f"user{i}" for i in range(24)}


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

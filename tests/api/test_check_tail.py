"""The cold check's cheaper path: a held SQLite connection per thread and orjson's bytes.

A cold check (a question not remembered) is read and encoded on the event loop, so its
CPU is every other request's wait (BENCHMARKS.md, issue 17). These tests hold the
cheaper path to the same answers: fresh after every write, never holding a checkpoint
back, recovering from a broken connection, and byte for byte the same JSON.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scamnet.api.checks import PublicChecks, _encoded_by_json, encoded
from scamnet.citizens.service import CheckCache, CheckResult
from scamnet.store import Store, lookup
from scamnet.store.alerts import Alert, AlertRepository
from scamnet.store.checkreads import CheckReads
from scamnet.store.records import StoreSink

NUMBER = "+8613912345678"


def _sqlite(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'scamnet.db'}")
    store.upgrade()
    return store


def _report(store: Store, n: int, fraud: str = "investment") -> None:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    with store.session() as s:
        StoreSink(s).insert("reports", [{"report_id": f"R-{n}-{i}", "filed_at": at,
                                         "bureau": "PUBLIC", "fraud_type": fraud,
                                         "scammer_phone": NUMBER} for i in range(n)])  # fmt: skip


def _ask(layer: PublicChecks, path: str) -> dict[str, Any]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    asyncio.run(layer(scope, None, send))  # type: ignore[arg-type]
    assert sent, "the question went on to the route"
    answer: dict[str, Any] = json.loads(sent[1]["body"])
    return answer


def test_a_reports_and_a_confirmation_change_the_next_answer(store: Store) -> None:
    """No stale snapshot: the reader's connection stays open between checks, and each
    check still sees what was written just before (memory off, as when it expired)."""
    reads = CheckReads.open(store)
    assert reads is not None

    async def route(scope: dict[str, Any], receive: object, send: object) -> None:
        raise AssertionError("a well-formed check must be answered before the route")

    layer = PublicChecks(route, CheckCache(ttl_s=0), reads)  # type: ignore[arg-type]
    path = f"/v1/check/phone/{NUMBER}"
    try:
        assert _ask(layer, path)["risk"] == "unknown"
        _report(store, 1)
        assert _ask(layer, path)["risk"] == "unknown"  # one report alone says nothing
        _report(store, 2, "romance")
        seen = _ask(layer, path)
        assert seen["risk"] == "medium"
        assert {r["category"] for r in seen["reasons"]} == {"investment", "romance"}
        with store.session() as s:
            AlertRepository(s).add_many(
                [Alert("subscriber", NUMBER, 0.9, "customer_service", "m", "w", "x")]
            )
        assert _ask(layer, path)["risk"] == "medium"  # an unconfirmed alert is not public
        with store.session() as s:
            alerts = lookup.AlertRow.__table__
            s.execute(alerts.update().where(alerts.c.subject == NUMBER).values(verdict="confirmed"))
        seen = _ask(layer, path)
        assert seen["risk"] == "high"
        assert "customer_service" in {r["category"] for r in seen["reasons"]}
    finally:
        reads.close()


def test_a_thread_keeps_one_connection_that_never_holds_a_checkpoint_back(
    tmp_path: Path,
) -> None:
    store = _sqlite(tmp_path)
    reads = CheckReads(store)
    try:
        _report(store, 3)
        for _ in range(5):
            assert reads.facts("tel", NUMBER) == ({"investment": 3}, [])
        other: list[object] = []
        worker = threading.Thread(target=lambda: other.append(reads.facts("tel", NUMBER)))
        worker.start()
        worker.join()
        assert other == [({"investment": 3}, [])]
        assert len(reads._all_held) == 2  # this thread's and the other's, each reused
        _report(store, 1)  # a write between reads leaves frames in the WAL
        assert reads.facts("tel", NUMBER) == ({"investment": 4}, [])
        # A reader left in a transaction would pin the WAL: a truncating checkpoint
        # could not reset it (busy = 1). The held connections must be idle.
        with sqlite3.connect(tmp_path / "scamnet.db", isolation_level=None) as conn:
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        reads.close()
        store.dispose()
    assert reads._all_held == []


def test_threads_that_end_give_their_connections_back(tmp_path: Path) -> None:
    """A test client runs each request on a thread of its own: a connection held by a
    thread that ended must go back, or the pool runs dry after a few requests."""
    store = _sqlite(tmp_path)
    reads = CheckReads(store)
    try:
        for _ in range(12):  # more than the pool holds
            worker = threading.Thread(target=reads.facts, args=("tel", NUMBER))
            worker.start()
            worker.join()
            assert len(reads._all_held) <= 2  # the thread just ended, and the one before
        assert reads.facts("tel", NUMBER) == ({}, [])
    finally:
        reads.close()
        store.dispose()


def test_a_broken_connection_fails_one_read_and_the_next_opens_another(
    tmp_path: Path,
) -> None:
    store = _sqlite(tmp_path)
    reads = CheckReads(store)
    try:
        _report(store, 2)
        assert reads.facts("tel", NUMBER) == ({"investment": 2}, [])
        held = reads._all_held[0]
        held[0].dbapi_connection.close()  # as if the file handle had gone bad
        with pytest.raises(reads.errors):
            reads.facts("tel", NUMBER)
        assert held not in reads._all_held  # discarded, never reused
        assert reads.facts("tel", NUMBER) == ({"investment": 2}, [])
        assert len(reads._all_held) == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reads._all_held[0][1].execute("DELETE FROM victim_reports")
    finally:
        reads.close()
        store.dispose()


_TEXT = st.text(max_size=40)  # any code point, control characters and non-BMP included


@given(
    value=_TEXT,
    summary=st.dictionaries(st.sampled_from(["fr", "zh", "en"]), _TEXT),
    reasons=st.lists(st.dictionaries(_TEXT, _TEXT, max_size=3), max_size=3),
)
@example(value='\x00\x1f\x7f\u2028"\\/é中😀', summary={}, reasons=[])
@example(value="\ud800", summary={}, reasons=[])  # a lone surrogate: no UTF-8 for it
def test_the_answer_is_the_standard_librarys_json_byte_for_byte(
    value: str, summary: dict[str, str], reasons: list[dict[str, str]]
) -> None:
    result = CheckResult("url", value, "high", summary, reasons, {"en": value})
    try:
        expected = _encoded_by_json(result)
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            encoded(result)
        return
    assert encoded(result) == expected


def test_every_answer_is_the_routes_byte_for_byte_on_either_path(store: Store) -> None:
    """The light paths (awaited on PostgreSQL, inline on SQLite, and the synchronous one
    each thread holds) send exactly the bytes of the ORM's answer: nothing new revealed."""
    from scamnet.citizens.service import check, check_facts
    from tests.citizens.test_check_reads import QUESTIONS, _fill

    _fill(store)
    reads = CheckReads.open(store)
    assert reads is not None

    async def route(scope: dict[str, Any], receive: object, send: object) -> None:
        raise AssertionError("a well-formed check must be answered before the route")

    layer = PublicChecks(route, CheckCache(ttl_s=0), reads)  # type: ignore[arg-type]
    try:
        for kind, value in QUESTIONS:
            with store.session() as s:
                expected = encoded(check(s, kind, value))
            sent: list[dict[str, Any]] = []

            async def send(message: dict[str, Any], into: list[Any] = sent) -> None:
                into.append(message)

            scope = {"type": "http", "method": "GET", "path": f"/v1/check/{kind}/{value}",
                     "root_path": ""}  # fmt: skip
            asyncio.run(layer(scope, None, send))  # type: ignore[arg-type]
            assert sent[1]["body"] == expected, (kind, value)
            assert encoded(check_facts(reads, kind, value)) == expected, (kind, value)
    finally:
        reads.close()


@pytest.mark.postgres
def test_postgres_threads_keep_one_connection_each_and_see_every_write(
    postgres_server: Any, postgres_template: str
) -> None:
    """The synchronous path on PostgreSQL: a libpq connection per thread, its statement
    prepared once, every committed write seen by the next read, a broken one replaced."""
    store = Store(postgres_server.create_database("check_held", template=postgres_template))
    reads = CheckReads(store)
    try:
        assert reads.facts("tel", NUMBER) == ({}, [])
        _report(store, 2)
        assert reads.facts("tel", NUMBER) == ({"investment": 2}, [])
        assert len(reads._all_held) == 1
        held = reads._all_held[0][0]
        assert held.prepared == {"tel"}
        other: list[object] = []
        worker = threading.Thread(target=lambda: other.append(reads.facts("tel", NUMBER)))
        worker.start()
        worker.join()
        assert other == [({"investment": 2}, [])] and len(reads._all_held) == 2
        _report(store, 3, "romance")
        assert reads.facts("tel", NUMBER) == ({"investment": 2, "romance": 3}, [])
        held.pg.finish()  # as if the server had gone away
        with pytest.raises(reads.errors):
            reads.facts("tel", NUMBER)
        assert reads.facts("tel", NUMBER) == ({"investment": 2, "romance": 3}, [])
        # The new connection took the place of the broken one and of the ended thread's.
        assert len(reads._all_held) == 1 and reads._all_held[0][0] is not held
        with pytest.raises(reads.errors):  # a NUL would cut libpq's text short: refused
            reads.facts("tel", NUMBER + "\x00")
    finally:
        reads.close()
        store.dispose()
    assert reads._all_held == []

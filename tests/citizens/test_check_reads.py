"""The check's light read path: the same answers as the ORM's, one statement each,
given before routing; errors and bad input still go to the route."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scamnet.api.checks import PublicChecks, encoded
from scamnet.citizens.service import CheckCache, check, check_facts
from scamnet.store import Store, checkreads, lookup
from scamnet.store.alerts import Alert, AlertRepository
from scamnet.store.checkreads import CheckReads
from scamnet.store.records import StoreSink

HIGH, MEDIUM, ONCE = "+8613912340001", "+8613912340002", "+8613912340003"
CONFIRMED = "+8613912340004"
ACCOUNT, URL = "6222020200112233445", "https://pay-safe.example.com/login"
QUESTIONS = [
    ("phone", HIGH), ("phone", MEDIUM), ("phone", ONCE), ("phone", CONFIRMED),
    ("phone", "+8613999999999"), ("account", ACCOUNT), ("url", URL),
    ("wallet", "0x52908400098527886E0F7030069857D2E4169EE7"),
]  # fmt: skip


def _fill(store: Store) -> None:
    at = datetime(2023, 10, 1, tzinfo=UTC)
    named = [("scammer_phone", HIGH, 6, "investment"), ("scammer_phone", MEDIUM, 2, "romance"),
             ("scammer_phone", ONCE, 1, "investment"), ("scammer_account", ACCOUNT, 5, "loan"),
             ("scammer_url", URL, 3, "customer_service")]  # fmt: skip
    with store.session() as s:
        for column, value, n, fraud in named:  # the bulk writer takes rows of one shape
            StoreSink(s).insert("reports", [{"report_id": f"R-{value}-{i}", "filed_at": at,
                                             "bureau": "PUBLIC", "fraud_type": fraud,
                                             column: value} for i in range(n)])  # fmt: skip
        repo = AlertRepository(s)
        repo.add_many([Alert("subscriber", CONFIRMED, 0.9, "investment", "m", "w", "x"),
                       Alert("subscriber", ONCE, 0.9, "romance", "m", "w", "x")])  # fmt: skip
    with store.session() as s:  # an analyst confirms one; the other stays unconfirmed
        alerts = lookup.AlertRow.__table__
        s.execute(alerts.update().where(alerts.c.subject == CONFIRMED).values(verdict="confirmed"))


@pytest.fixture
def reads(store: Store) -> Iterator[CheckReads]:
    _fill(store)
    found = CheckReads.open(store)
    assert found is not None
    yield found
    found.close()


def test_the_light_path_answers_as_the_orm_does_in_one_statement(
    store: Store, reads: CheckReads
) -> None:
    for kind, value in QUESTIONS:
        with store.session() as s:
            expected = check(s, kind, value)
        before = reads.statements
        assert check_facts(reads, kind, value) == expected, (kind, value)
        assert reads.statements - before == (0 if kind == "wallet" else 1)
    risks = {v: check_facts(reads, k, v).risk for k, v in QUESTIONS}
    assert risks[HIGH] == risks[CONFIRMED] == risks[ACCOUNT] == "high"
    assert risks[MEDIUM] == risks[URL] == "medium"
    assert risks[ONCE] == "unknown"  # one report, and its alert is not confirmed


def test_the_reader_knows_the_columns_the_orm_queries_use() -> None:
    assert checkreads._REPORT_COLUMN == lookup._REPORT_COLUMN
    assert checkreads._ALERT_KINDS == lookup._ALERT_KINDS


def test_sqlite_reads_the_subjects_index_and_never_writes(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'plan.db'}")
    store.upgrade()
    reads = CheckReads(store)
    try:
        sql = reads._sql["tel"]
        assert sql is not None
        with sqlite3.connect(tmp_path / "plan.db") as conn:
            rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", ("a", "a"))
            plan = " ".join(str(r[-1]) for r in rows)
        # Not the verdict's index: that would walk every confirmed alert for each check.
        assert "ix_victim_reports_scammer_phone" in plan, plan
        alerts = plan.split("UNION ALL")[1]
        assert "subject=?" in alerts and "verdict" not in alerts, plan
        conn2 = reads._engine.raw_connection()
        try:
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                conn2.cursor().execute("DELETE FROM alerts")
        finally:
            conn2.close()
    finally:
        reads.close()
        store.dispose()


def _ask(layer: PublicChecks, path: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    asyncio.run(layer(scope, None, send))  # type: ignore[arg-type]
    return sent


def test_a_new_question_is_answered_before_routing_and_then_remembered(
    store: Store, reads: CheckReads
) -> None:
    passed: list[str] = []

    async def route(scope: dict[str, Any], receive: object, send: object) -> None:
        passed.append(scope["path"])

    layer = PublicChecks(route, CheckCache(ttl_s=60.0), reads)  # type: ignore[arg-type]
    before = reads.statements
    sent = _ask(layer, f"/v1/check/phone/{HIGH}")
    with store.session() as s:
        assert sent[1]["body"] == encoded(check(s, "phone", HIGH))
    assert _ask(layer, f"/v1/check/phone/{HIGH}")[1]["body"] == sent[1]["body"]
    assert passed == [] and reads.statements - before == 1  # the second was remembered
    # What the route must answer (its validation errors) goes on to it.
    for path in ("/v1/check/person/Ming", "/v1/check/phone/not-a-number",
                 "/v1/check/url/" + "a" * 2049):  # fmt: skip
        assert _ask(layer, path) == []
    assert len(passed) == 3 and reads.statements - before == 1


@pytest.mark.slow  # the store's own connection waits out its 5 s busy timeout first
def test_a_locked_store_leaves_the_check_to_the_route_which_answers_503(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from scamnet.api.app import create_app
    from scamnet.settings import Settings

    db = tmp_path / "scamnet.db"
    store = Store(f"sqlite:///{db}")
    store.upgrade()
    settings = Settings(data_dir=tmp_path, database_url=store.url, check_cache_s=0)
    store.dispose()  # no connection open: the holder below can take the file for itself
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        # An exclusive lock (as a restore or a WAL recovery holds it) stops every reader.
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        with TestClient(create_app(store, tmp_path, settings=settings)) as client:
            answer = client.get(f"/v1/check/phone/{MEDIUM}")
            assert answer.status_code == 503, answer.text
            assert answer.json()["rule"] == "busy"
            holder.close()
            assert client.get(f"/v1/check/phone/{MEDIUM}").status_code == 200
    finally:
        holder.close()
        store.dispose()

"""The triage queue's page is read as columns: no ORM object is built for a listing."""

from __future__ import annotations

import random
from itertools import product

import pytest
from sqlalchemy import func, literal, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scamnet.store import Store
from scamnet.store.alerts import (
    Alert,
    AlertQuery,
    AlertRepository,
    AlertView,
    TriageRepository,
)
from scamnet.store.models import AlertRow, GroupRow
from scamnet.store.tables.network import GroupNodeRow


def test_a_page_builds_no_orm_objects_and_keeps_its_order(store: Store) -> None:
    rng = random.Random(7)
    with store.session() as s:
        AlertRepository(s).add_many([Alert("subscriber", f"+8613900000{i:03d}", rng.random(),
                                           "1", "m", "w", "x") for i in range(120)])  # fmt: skip
    with store.session() as s:
        query = AlertQuery(None, None, None, None, None, None, "score", True, 50, 10)
        total, alerts = TriageRepository(s).page(query)
        # A listing only reads: 50 ORM objects in the identity map were half its query time.
        assert len(s.identity_map) == 0
        assert total == 120 and len(alerts) == 50
        scores = [a.score for a in alerts]
        assert scores == sorted(scores, reverse=True)
        whole = TriageRepository(s).page(
            AlertQuery(None, None, None, None, None, None, "score", True, 500, 0)
        )[1]
        assert alerts == whole[10:60]
        assert alerts[0] == TriageRepository(s).get(alerts[0].id)  # the same view as one read


def _core_page(s: Session, q: AlertQuery) -> tuple[int, list[AlertView]]:
    """The page as SQLAlchemy Core read it before `scamnet.store.alertpage` (the reference)."""
    columns = (AlertRow.id, AlertRow.kind, AlertRow.subject, AlertRow.score, AlertRow.label,
               AlertRow.model, AlertRow.window, AlertRow.explanation, AlertRow.created_at,
               AlertRow.verdict, AlertRow.assignee)  # fmt: skip
    query = select(*columns)
    if q.kind is not None:
        query = query.where(AlertRow.kind == q.kind)
    if q.min_score is not None:
        query = query.where(AlertRow.score >= q.min_score)
    if q.window is not None:
        query = query.where(AlertRow.window == q.window)
    if q.status == "open":
        query = query.where(AlertRow.verdict.is_(None))
    elif q.status is not None:
        query = query.where(AlertRow.verdict == q.status)
    if q.assignee is not None:
        query = query.where(AlertRow.assignee == q.assignee)
    if q.group is not None:
        nodes = select(GroupNodeRow.node).where(GroupNodeRow.group_id == q.group)
        query = query.where(or_((literal("tel:") + AlertRow.subject).in_(nodes),
                                (literal("acct:") + AlertRow.subject).in_(nodes),
                                (literal("wallet:") + AlertRow.subject).in_(nodes)))  # fmt: skip
    total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
    key = {"score": AlertRow.score, "created": AlertRow.created_at, "id": AlertRow.id}[q.sort]
    order = key.desc() if q.descending else key.asc()
    rows = s.execute(query.order_by(order, AlertRow.id).limit(q.limit).offset(q.offset))
    return total, [AlertView(*r) for r in rows]


def test_every_shape_of_query_reads_what_the_core_query_read(store: Store) -> None:
    rng = random.Random(11)
    kinds, windows = ("subscriber", "account", "url"), ("w1", "w2")
    with store.session() as s:
        # Scores repeat (ties are broken by id) and alerts come in two batches (two times).
        AlertRepository(s).add_many([
            Alert(kinds[i % 3], f"+86139{i:08d}" if i % 3 != 1 else f"6222{i:012d}",
                  rng.choice((0.2, 0.5, 0.5, 0.9, rng.random())), "1", "m", windows[i % 2], "x")
            for i in range(90)
        ])  # fmt: skip
    with store.session() as s:
        AlertRepository(s).add_many([Alert("subscriber", f"+86138{i:08d}", rng.random(), "1",
                                           "m", "w1", "y") for i in range(30)])  # fmt: skip
        s.add(GroupRow(id=7, name="ring"))
        s.flush()
        for i in range(0, 90, 4):
            node = f"tel:+86139{i:08d}" if i % 3 != 1 else f"acct:6222{i:012d}"
            s.add(GroupNodeRow(group_id=7, node=node, kind="x", role="r", score=0.5, rank=i,
                               evidence="e"))  # fmt: skip
        alerts = AlertRow.__table__
        marks = [("confirmed", "ana"), ("false_positive", None), ("needs_review", "ana"),
                 (None, "bo")]  # fmt: skip
        for i, (verdict, assignee) in enumerate(marks):
            s.execute(alerts.update().where(alerts.c.id % 4 == i)
                      .values(verdict=verdict, assignee=assignee))  # fmt: skip
    statuses = (None, "open", "confirmed", "false_positive")
    # Each shape reads one of three pages (the first, one inside, one past the end), the
    # page turning with the shape (n + n // 6: the sort and direction are the innermost
    # six): every page is read under each value of each filter and each sort and
    # direction, and the page is a bound value, not part of the compiled query's shape.
    pages = ((50, 0), (7, 3), (5, 500))
    checked: dict[tuple[int, int], int] = dict.fromkeys(pages, 0)
    with store.session() as s:
        for n, (kind, score, window, status, assignee, group, sort, descending) in enumerate(
            product((None, "subscriber"), (None, 0.5), (None, "w1"), statuses, (None, "ana"),
                    (None, 7), ("score", "created", "id"), (True, False))
        ):  # fmt: skip
            limit, offset = pages[(n + n // 6) % 3]
            q = AlertQuery(kind, score, window, status, assignee, group, sort, descending,
                           limit, offset)  # fmt: skip
            assert TriageRepository(s).page(q) == _core_page(s, q), q
            checked[limit, offset] += 1
        # Every shape is compiled once and read again with other values.
        q = AlertQuery("account", 0.0, "w2", "needs_review", "ana", 7, "id", True, 500, 0)
        assert TriageRepository(s).page(q) == _core_page(s, q)
        assert TriageRepository(s).page(AlertQuery(limit=500))[0] == 120
    assert checked == dict.fromkeys(pages, 2 * 2 * 2 * 4 * 2 * 2 * 3 * 2 // 3)


def test_a_failing_store_raises_what_sqlalchemy_raised(store: Store) -> None:
    # The compiled page runs through SQLAlchemy's driver-level execution, so a store that
    # fails says so in SQLAlchemy's errors, as before (a locked SQLite or a lost server is
    # its OperationalError, `StoreUnavailable`, which the API answers with 503).
    with store.session() as s:
        s.connection().exec_driver_sql("ALTER TABLE alerts RENAME TO alerts_gone")
        with pytest.raises(DBAPIError):
            TriageRepository(s).page(AlertQuery())
        s.rollback()

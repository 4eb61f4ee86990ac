"""The alert list answered before routing (`scamnet.api.alertlist`) is the route's answer.

Each plain list is asked twice: as it is (answered early) and with a parameter the route
ignores (``_route``), which sends it on to the FastAPI route. Both answers, and the audit
entries both leave, must be the same; what the early path cannot read exactly must reach
the route.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from scamnet.api.alertlist import AlertLists, parse
from scamnet.core.access import UserRole
from scamnet.store.models import AuditRow
from tests.api.conftest import Api
from tests.support.users import register

PLAIN = [
    "",
    "limit=50",
    "limit=1&offset=0",
    "limit=3&offset=2&sort=created&ascending=true",
    "kind=subscriber&status=open&limit=5",
    "status=confirmed",
    "min_score=0.5&sort=id&ascending=false",
    "min_score=1&limit=500",
    "window=w&assignee=nobody",
    "group=1",
    "why=case%20CN-1&limit=2",
    "limit=2&offset=1000000000",
]


def _early(api: Api) -> AlertLists:
    layer: Any = api.client.app.middleware_stack  # type: ignore[attr-defined]
    while layer is not None and not isinstance(layer, AlertLists):
        layer = getattr(layer, "app", None)
    assert layer is not None, "the app has no early alert list"
    return layer


def _audited_since(api: Api, last: int) -> list[tuple[str, str, str, str]]:
    with api.store.session() as s:
        rows = s.execute(select(AuditRow.actor, AuditRow.action, AuditRow.subject,
                                AuditRow.detail).where(AuditRow.id > last)
                         .order_by(AuditRow.id)).all()  # fmt: skip
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _last(api: Api) -> int:
    with api.store.session() as s:
        return s.scalar(select(AuditRow.id).order_by(AuditRow.id.desc()).limit(1)) or 0


@pytest.mark.parametrize("user", ["analyst", "investigator", "lc.investigator"])
def test_a_plain_list_is_the_routes_answer_and_audit_entry(api: Api, user: str) -> None:
    early = _early_after_one(api)
    for query in PLAIN:
        answers = []
        for suffix in ("", "&_route=1" if query else "_route=1"):
            before, answered = _last(api), early.answered
            r = api.client.get(f"/v1/alerts?{query}{suffix}", headers=api.as_(user))
            answers.append((r.status_code, r.headers.get("content-type"),
                            r.headers.get("content-length"), r.content,
                            _audited_since(api, before)))  # fmt: skip
            assert early.answered == answered + (0 if suffix else 1), query
        assert answers[0] == answers[1], query
        status, _, _, _, audited = answers[0]
        assert status == 200 and len(audited) == 1 and audited[0][:3] == (user, "alerts.list",
                                                                           "alerts")  # fmt: skip


def _early_after_one(api: Api) -> AlertLists:
    api.client.get("/v1/alerts", headers=api.as_("analyst"))  # builds the middleware stack
    return _early(api)


def test_what_it_cannot_read_exactly_goes_to_the_route(api: Api) -> None:
    early = _early_after_one(api)
    analyst, viewer = api.as_("analyst"), api.as_("viewer")
    asked: list[tuple[str, dict[str, str], int]] = [
        ("limit=0", analyst, 422),
        ("limit=501", analyst, 422),
        ("limit=-1", analyst, 422),
        ("limit=%2B5", analyst, 200),
        ("limit=05", analyst, 200),
        ("limit=5&limit=6", analyst, 200),
        ("limit=", analyst, 422),
        ("ascending=1", analyst, 200),
        ("kind=bogus", analyst, 422),
        ("min_score=1e-1", analyst, 200),
        ("min_score=2", analyst, 422),
        ("group=0", analyst, 422),
        ("window=" + "w" * 33, analyst, 422),
        ("unknown=1", analyst, 200),
        ("limit=5", viewer, 403),  # a role without alerts.read
        ("limit=5", {"Authorization": "Bearer not-a-token"}, 401),
        ("limit=5", {"Authorization": "Basic YTpi"}, 401),
        ("limit=5", {}, 401),
    ]
    for query, headers, status in asked:
        answered = early.answered
        r = api.client.get(f"/v1/alerts?{query}", headers=headers)
        assert (r.status_code, early.answered) == (status, answered), (query, r.text)


def test_a_revoked_token_or_a_lost_role_is_refused_by_the_route_at_once(api: Api) -> None:
    register(api.store, "early.lists", "CN-YN-DH", frozenset({UserRole.ANALYST}))
    token = api.client.post("/v1/tokens", json={"username": "early.lists", "days": 1},
                            headers=api.as_("admin")).json()["token"]  # fmt: skip
    mine = {"Authorization": f"Bearer {token}"}
    early = _early_after_one(api)
    answered = early.answered
    assert api.client.get("/v1/alerts?limit=5", headers=mine).status_code == 200
    assert early.answered == answered + 1
    api.client.post("/v1/tokens/revoke", json={"token": token}, headers=mine)
    r = api.client.get("/v1/alerts?limit=5", headers=mine)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert early.answered == answered + 1


def test_a_failing_store_is_answered_by_the_apps_handlers_as_from_the_route(api: Api) -> None:
    early = _early_after_one(api)
    with api.store.engine.begin() as c:
        c.exec_driver_sql("ALTER TABLE alerts RENAME TO alerts_away")
    try:
        answered = early.answered
        got = [api.client.get(f"/v1/alerts?limit=5{s}", headers=api.as_("analyst"))
               for s in ("", "&_route=1")]  # fmt: skip
    finally:
        with api.store.engine.begin() as c:
            c.exec_driver_sql("ALTER TABLE alerts_away RENAME TO alerts")
    assert early.answered == answered
    assert [(r.status_code, r.json(), r.headers.get("retry-after")) for r in got] == [
        (503, {"detail": "the store is unavailable; retry shortly", "rule": "busy"}, "2")
    ] * 2


def test_parse_takes_the_routes_defaults_and_values() -> None:
    query, why = parse(b"") or (None, None)
    assert query is not None and why is None
    assert (query.limit, query.offset, query.sort, query.descending) == (50, 0, "score", True)
    found = parse(b"kind=url&min_score=0.25&window=w%201&status=needs_review&assignee=ana"
                  b"&group=9&sort=created&ascending=true&limit=7&offset=3"
                  b"&why=%E6%A1%88")  # fmt: skip
    assert found is not None
    query, why = found
    assert (query.kind, query.min_score, query.window, query.status, query.assignee,
            query.group, query.sort, query.descending, query.limit, query.offset, why) == (
        "url", 0.25, "w 1", "needs_review", "ana", 9, "created", False, 7, 3, "案")  # fmt: skip

"""The public check's short memory: repeated questions are answered without a query,
and an answer older than its time to live is asked again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scamnet.citizens.service import HIGH_REPORTS, CheckCache
from scamnet.store import Store
from scamnet.store.records import StoreSink

PHONE = "+8613912345678"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _reports(store: Store, n: int) -> None:
    rows = [{"report_id": f"R-{i}", "filed_at": datetime(2023, 10, 1, tzinfo=UTC),
             "bureau": "PUBLIC", "fraud_type": "investment", "scammer_phone": PHONE}
            for i in range(n)]  # fmt: skip
    with store.session() as s:
        StoreSink(s).insert("reports", rows)


def test_an_answer_is_kept_for_its_time_to_live_then_asked_again(store: Store) -> None:
    clock = Clock()
    cache = CheckCache(ttl_s=5.0, clock=clock)
    with store.session() as s:
        assert cache.check(s, "phone", PHONE).risk == "unknown"
    _reports(store, HIGH_REPORTS)
    clock.now += 4.9
    # Within the time to live the remembered answer is given, without a session.
    assert cache.get("phone", PHONE) is not None
    with store.session() as s:
        assert cache.check(s, "phone", PHONE).risk == "unknown"
    clock.now += 0.1
    assert cache.get("phone", PHONE) is None
    with store.session() as s:
        assert cache.check(s, "phone", PHONE).risk == "high"


def test_the_memory_is_bounded_and_can_be_turned_off(store: Store) -> None:
    cache = CheckCache(ttl_s=60.0, size=3)
    with store.session() as s:
        for i in range(5):
            cache.check(s, "phone", f"+861391234560{i}")
    assert cache.get("phone", "+8613912345600") is None  # the oldest left first
    assert cache.get("phone", "+8613912345604") is not None
    off = CheckCache(ttl_s=0)
    with store.session() as s:
        off.check(s, "phone", PHONE)
    assert off.get("phone", PHONE) is None


def test_a_remembered_check_is_answered_before_routing_with_the_routes_bytes(
    store: Store,
) -> None:
    import asyncio

    from scamnet.api.checks import PublicChecks, encoded

    cache = CheckCache(ttl_s=60.0)
    with store.session() as s:
        answer = cache.check(s, "phone", PHONE)
    passed: list[str] = []

    async def inner(scope: dict, receive: object, send: object) -> None:
        passed.append(f"{scope['method']} {scope['path']}")

    # Without reads: only remembered answers are given before routing.
    layer = PublicChecks(inner, cache)  # type: ignore[arg-type]

    def ask(method: str, path: str) -> list[dict]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "root_path": ""}
        asyncio.run(layer(scope, None, send))  # type: ignore[arg-type]
        return sent

    sent = ask("GET", f"/v1/check/phone/{PHONE}")
    assert passed == []  # the route never ran
    assert sent[0]["status"] == 200
    assert (b"content-type", b"application/json") in sent[0]["headers"]
    assert sent[1]["body"] == encoded(answer)
    # Anything not remembered goes on to the app (which validates and routes it).
    others = [
        ("GET", "/v1/check/phone/+8613900000000"),
        ("POST", f"/v1/check/phone/{PHONE}"),
        ("GET", f"/v1/check/url/{PHONE}"),
        ("GET", "/v1/check/phone/"),
        ("GET", "/v1/alerts"),
    ]
    for method, path in others:
        assert ask(method, path) == []
    assert len(passed) == 5


def test_the_served_check_gives_the_same_answer_remembered_or_not(
    store: Store, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from scamnet.api.app import create_app
    from scamnet.settings import Settings

    _reports(store, HIGH_REPORTS)
    settings = Settings(data_dir=tmp_path, database_url=store.url, check_cache_s=60.0)
    with TestClient(create_app(store, tmp_path, settings=settings)) as client:
        first = client.get(f"/v1/check/phone/{PHONE}")
        again = client.get(f"/v1/check/phone/{PHONE}")
        assert first.status_code == again.status_code == 200
        assert first.content == again.content
        assert first.json()["risk"] == "high"
        assert first.headers["content-type"] == again.headers["content-type"]
        assert client.get("/v1/check/person/Ming").status_code == 422  # still validated

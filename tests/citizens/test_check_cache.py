"""The public check's short memory: repeated questions are answered without a query,
and an answer older than its time to live is asked again."""

from __future__ import annotations

from datetime import UTC, datetime

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

"""The triage queue's page is read as columns: no ORM object is built for a listing."""

from __future__ import annotations

import random

from scamnet.store import Store
from scamnet.store.alerts import Alert, AlertQuery, AlertRepository, TriageRepository


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

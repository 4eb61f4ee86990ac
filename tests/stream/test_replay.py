"""A day of the demo world replayed as a stream at 100x through ``POST /v1/records``.

A sub-sample of the day, to keep the suite short: the 30 minutes from 09:00 Beijing
time (18 s at 100x). `scamnet.stream.replay` replays any window, a whole day
included (14.4 minutes at 100x); the latency figures are in BENCHMARKS.md.
Before it, the days before are ingested as files, the victims' reports filed
before it are in the store, and a partner service has shared the numbers of one
criminal group. Every scam call from a known number to an ordinary subscriber
must put that person in the dissuasion queue, and the stream's features at the
end must equal the batch features computed from the lake.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from scamnet.api.app import create_app
from scamnet.core.access import Actor, UserRole
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.dissuasion import DissuasionRepository
from scamnet.stream.arrival import ArrivalProcessor
from scamnet.stream.intake import PushIntake
from scamnet.stream.replay import batch_features, prepare_world, replay, world_events
from tests.stream.test_rolling import assert_equal
from tests.support.users import PASSWORD

START = datetime(2023, 10, 5, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
END = START + timedelta(minutes=30)
DAY = START.date()
AGENCY = "CN-YN-DH"


@pytest.mark.slow
def test_a_day_replayed_at_100x_queues_the_people_scam_numbers_call(
    demo_world: Path, fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAMNET_PUSH_RATE", "1000000")
    world = demo_world / "world"
    settings = Settings.from_env(fresh)
    store = Store(settings.database_url)
    tester = Actor("tester", AGENCY, frozenset(UserRole))
    before = prepare_world(demo_world, settings, store, tester, START, tmp_path)
    listed, ordinary = before.listed, before.ordinary

    processor = ArrivalProcessor(store, settings, AGENCY)
    assert processor.champions.subscriber is not None and processor.champions.message is not None
    assert processor.warm(DAY) > 10_000  # the look-back days, from the lake
    intake = PushIntake(settings, store, processor)
    http = TestClient(create_app(store, fresh, settings=settings))
    http.app.state.push_intake = intake  # type: ignore[attr-defined]
    token = http.post("/v1/login", json={"username": "tester", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['token']}"}

    def send(kind: str, body: bytes) -> None:
        r = http.post(f"/v1/records/{kind}", content=body, headers=headers)
        assert r.status_code == 200, r.text

    events = world_events(world, START, END)
    assert len(events) > 200
    replay(events, send, speed=100)

    # Every call from a known scam number to an ordinary subscriber queued that person.
    with store.session() as s:
        known = set(processor.watch.flags) | listed
        _, items = DissuasionRepository(s).page(frozenset({AGENCY}), None, 10_000, 0)
    queued = {(i.victim, i.contact) for i in items}
    lake = RecordLake(settings.lake_dir)
    paths = ", ".join(f"'{f}'" for f in lake.files(RecordKind.CALLS, [DAY.isoformat()]))
    calls = duckdb.execute(f"SELECT caller, callee FROM read_parquet([{paths}])").fetchall()
    scam_calls = {(callee, caller) for caller, callee in calls
                  if caller in known and callee in ordinary}  # fmt: skip
    assert len(scam_calls) >= 5
    assert scam_calls <= queued
    assert all(i.contact in known | set(processor.flagged) for i in items)
    waits = sorted((i.queued_at - i.arrived_at).total_seconds() for i in items)
    assert waits[0] >= 0  # queued after arrival; the figures themselves are in BENCHMARKS
    print(f"{len(items)} queued; record→queue p50 {waits[len(waits) // 2]:.3f} s, "
          f"max {waits[-1]:.3f} s")  # fmt: skip

    # The stream's features at the window's end equal the batch features of the lake.
    with store.session() as s:
        from scamnet.engine.features.subscribers import CELL_REF
        from scamnet.store.seeds import cell_reference

        cells = cell_reference(s, CELL_REF)
    batch = batch_features(settings, cells, DAY, DAY, tmp_path / "batch-features")
    stream = {r["msisdn"]: r for r in processor.rolling.table(DAY, DAY).to_pylist()}
    assert len(batch) > 100
    assert_equal(stream, batch)
    intake.close()
    store.dispose()

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

import csv
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from scamnet.api.app import create_app
from scamnet.core.access import Actor, UserRole
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.dissuasion import DissuasionRepository
from scamnet.store.records import StoreLedger, StoreSink
from scamnet.stream.arrival import ArrivalProcessor
from scamnet.stream.intake import PushIntake
from scamnet.stream.replay import replay, world_events
from scamnet.stream.service import add_watch_list
from tests.stream.test_rolling import assert_equal, batch_features
from tests.support.users import PASSWORD

START = datetime(2023, 10, 5, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
END = START + timedelta(minutes=30)
DAY = START.date()
AGENCY = "CN-YN-DH"


def _before(world: Path, tmp: Path, settings: Settings, store: Store) -> None:
    """Cells, reports filed before the window, calls and messages of the days before."""
    con = duckdb.connect()
    day0 = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    con.execute(f"COPY (SELECT * FROM read_csv('{world}/reports.csv', all_varchar = true) "
                f"WHERE filed_at < '{START.isoformat()}') TO '{tmp}/reports.csv'")  # fmt: skip
    con.execute(f"COPY (SELECT * FROM read_csv('{world}/messages.csv', all_varchar = true, "
                f"ignore_errors = true) WHERE try_cast(sent_at AS TIMESTAMPTZ) < "
                f"'{day0.isoformat()}') TO '{tmp}/messages.csv'")  # fmt: skip
    con.close()
    files = [("cells", world / "cells.csv"), ("reports", tmp / "reports.csv"),
             ("messages", tmp / "messages.csv")]  # fmt: skip
    files += [("calls", p) for p in sorted((world / "calls").glob("calls-*.csv"))
              if p.name < f"calls-{DAY}"]  # fmt: skip
    ingestor = Ingestor(settings.data_dir, settings=settings)
    try:
        for kind, path in files:
            with store.session() as s:
                result = ingestor.ingest_file(kind, path, Mapping(), StoreLedger(s), StoreSink(s))
                assert result.error is None, result.error
    finally:
        ingestor.close()


def _partner_list(world: Path, tmp: Path) -> tuple[Path, set[str], set[str]]:
    """One group's numbers, as a partner service would share them; and the ordinary
    subscribers (the people who can be victims)."""
    with (world / "truth" / "subscribers.csv").open() as fh:
        subs = list(csv.DictReader(fh))
    fraud = [s for s in subs if s["kind"] == "fraud"]
    group = min(s["group_id"] for s in fraud)
    listed = {s["msisdn"] for s in fraud if s["group_id"] == group}
    path = tmp / "partner.csv"
    rows = "".join(f"tel,{m},impersonate_authority\n" for m in sorted(listed))
    path.write_text("kind,identifier,fraud_type\n" + rows)
    return path, listed, {s["msisdn"] for s in subs if s["kind"] == "normal"}


@pytest.mark.slow
def test_a_day_replayed_at_100x_queues_the_people_scam_numbers_call(
    demo_world: Path, fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAMNET_PUSH_RATE", "1000000")
    world = demo_world / "world"
    settings = Settings.from_env(fresh)
    store = Store(settings.database_url)
    demo = Settings.from_env(demo_world)
    shutil.copytree(demo.models_dir, settings.models_dir)
    settings.model_signing_key.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(demo.model_signing_key, settings.model_signing_key)
    _before(world, tmp_path, settings, store)
    partner, listed, ordinary = _partner_list(world, tmp_path)
    tester = Actor("tester", AGENCY, frozenset(UserRole))
    add_watch_list(store, tester, partner, "partner-mm")

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
    batch = batch_features(fresh, cells, DAY, DAY)
    stream = {r["msisdn"]: r for r in processor.rolling.table(DAY, DAY).to_pylist()}
    assert len(batch) > 100
    assert_equal(stream, batch)
    intake.close()
    store.dispose()

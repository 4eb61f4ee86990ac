"""Subscriber features against a hand-computed fixture, and their incremental update."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from scamnet.engine import open_engine
from scamnet.engine.features.subscribers import CELL_REF, SubscriberFeatures
from scamnet.lake import RecordKind, RecordLake

A, B, C, D, E = (f"+861380013800{i}" for i in range(1, 6))
I1, I2, I3 = "490154203237518", "356938035643809", "354406060000031"


def call(caller: str, callee: str, at: str, dur: int, imei: str, cell: str) -> dict[str, object]:
    start = datetime.fromisoformat(at).replace(tzinfo=UTC)
    return {"caller": caller, "callee": callee, "start": start, "duration_s": dur,
            "imei": imei, "cell_id": cell}  # fmt: skip


DAY_1 = [
    call(A, B, "2023-10-02 01:00", 10, I1, "c1"),  # 09:00 in Shanghai
    call(A, C, "2023-10-02 02:00", 100, I1, "c1"),
    call(A, B, "2023-10-02 17:00", 20, I1, "c2"),  # 01:00 next day in Shanghai: night
]
DAY_2 = [
    call(B, A, "2023-10-03 03:00", 50, I2, "c3"),  # B calls A back the next day
    call(A, D, "2023-10-03 04:00", 200, I3, "c1"),  # A's second handset
    call(E, A, "2023-10-03 05:00", 5, I1, "c1"),  # E's SIM in A's first handset
]
HISTORY = [call(A, C, "2023-09-28 10:00", 30, I1, "c1")]  # C is an old contact of A
MESSAGES = [
    {"sender": A, "recipient": B, "sent_at": datetime(2023, 10, 2, 6, tzinfo=UTC),
     "text": "see http://x.top/a", "channel": "sms"},
    {"sender": B, "recipient": A, "sent_at": datetime(2023, 10, 2, 7, tzinfo=UTC),
     "text": "ok", "channel": "sms"},
]  # fmt: skip
CELLS = pa.table(
    {"cell_id": ["c1", "c2", "c3"], "region": ["Kunming", "Ruili", "Muse"],
     "country": ["CN", "CN", "MM"], "border": [False, True, True]},
    schema=CELL_REF,
)  # fmt: skip


def write(lake: RecordLake, kind: RecordKind, rows: list[dict[str, object]]) -> None:
    from scamnet.lake import SCHEMAS

    lake.write(kind, pa.Table.from_pylist(rows, schema=SCHEMAS[kind]))


def features(root: Path, start: date, end: date) -> tuple[dict[str, dict[str, object]], list[date]]:
    with open_engine("duckdb") as engine:
        f = SubscriberFeatures(engine, RecordLake(root / "lake"), root / "features", CELLS)
        rows = engine.fetch(f.compute(start, end))
        return {r["msisdn"]: r for r in rows}, f.last_computed


@pytest.fixture
def root(tmp_path: Path) -> Path:
    lake = RecordLake(tmp_path / "lake")
    write(lake, RecordKind.CALLS, HISTORY + DAY_1 + DAY_2)
    write(lake, RecordKind.MESSAGES, MESSAGES)
    return tmp_path


def test_features_match_a_hand_computed_expectation(root: Path) -> None:
    got, _ = features(root, date(2023, 10, 2), date(2023, 10, 3))
    assert got[A] == {
        "msisdn": A,
        "calls_out": 4,  # A→B, A→C, A→B, A→D
        "calls_in": 2,  # B→A, E→A
        "distinct_callees": 3,
        "callee_concentration": 0.5,  # two of four calls went to B
        "short_call_ratio": 0.5,  # 10 s and 20 s
        "mean_duration": 82.5,  # (10 + 100 + 20 + 200) / 4
        "median_duration": 60.0,
        "night_ratio": 0.25,  # 01:00 Shanghai time
        "callback_ratio": pytest.approx(1 / 3),  # only B called back
        "new_contact_ratio": pytest.approx(2 / 3),  # C was called in the look-back week
        "imeis_per_sim": 2,
        "sims_per_imei": 2,  # A and E in handset I1
        "cells_visited": 2,
        "regions_visited": 2,
        "border_ratio": 0.25,
        "foreign_ratio": 0.0,
        "sms_out": 1,
        "sms_in": 1,
        "sms_recipients": 1,
        "sms_with_url": 1,
    }
    assert got[B]["foreign_ratio"] == 1.0  # B called from Muse
    assert got[B]["callback_ratio"] == 0.0  # A's calls to B came before B's call
    assert got[E]["sims_per_imei"] == 2


def test_adding_a_day_computes_only_that_day(tmp_path: Path, root: Path) -> None:
    lake = RecordLake(tmp_path / "inc" / "lake")
    write(lake, RecordKind.CALLS, HISTORY + DAY_1)
    write(lake, RecordKind.MESSAGES, MESSAGES)
    _, computed = features(tmp_path / "inc", date(2023, 10, 2), date(2023, 10, 2))
    assert computed == [date(2023, 9, 28), date(2023, 10, 2)]
    write(lake, RecordKind.CALLS, DAY_2)  # a new day arrives
    incremental, computed = features(tmp_path / "inc", date(2023, 10, 2), date(2023, 10, 3))
    assert computed == [date(2023, 10, 3)]
    cold, _ = features(root, date(2023, 10, 2), date(2023, 10, 3))
    assert incremental == cold


def test_late_records_recompute_their_day_only(root: Path) -> None:
    features(root, date(2023, 10, 2), date(2023, 10, 3))
    write(
        RecordLake(root / "lake"), RecordKind.CALLS, [call(D, A, "2023-10-03 09:00", 40, I2, "c1")]
    )
    got, computed = features(root, date(2023, 10, 2), date(2023, 10, 3))
    assert computed == [date(2023, 10, 3)]
    assert got[D]["calls_out"] == 1


def test_an_empty_window_gives_an_empty_table(tmp_path: Path) -> None:
    got, computed = features(tmp_path, date(2023, 1, 1), date(2023, 1, 2))
    assert got == {}
    assert computed == []


def test_a_backwards_window_is_refused(root: Path) -> None:
    with pytest.raises(ValueError, match="before it starts"):
        features(root, date(2023, 10, 3), date(2023, 10, 2))


def test_fixed_offsets_take_the_fast_path_and_dst_days_do_not() -> None:
    from scamnet.engine.features.subscribers import fixed_offset

    assert fixed_offset("Asia/Shanghai", date(2023, 10, 2)) == 8 * 3600
    assert fixed_offset("Europe/Paris", date(2023, 10, 2)) == 2 * 3600
    assert fixed_offset("Europe/Paris", date(2023, 10, 29)) is None  # clocks go back


def test_night_is_local_time_in_zones_with_daylight_saving(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path / "lake")
    # 2023-10-29 in Paris: 00:30 UTC is 01:30 (CEST→CET change at 01:00 UTC), night.
    write(lake, RecordKind.CALLS, [call(A, B, "2023-10-29 00:30", 10, I1, "c1"),
                                   call(A, C, "2023-10-29 12:00", 10, I1, "c1")])  # fmt: skip
    with open_engine("duckdb") as engine:
        f = SubscriberFeatures(engine, lake, tmp_path / "features", CELLS, timezone="Europe/Paris")
        rows = {
            r["msisdn"]: r for r in engine.fetch(f.compute(date(2023, 10, 29), date(2023, 10, 29)))
        }
    assert rows[A]["night_ratio"] == 0.5

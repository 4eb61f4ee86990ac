"""The grouped update of the rolling features (`stream.rolling_calls`) leaves exactly the
state the update call by call left: every day's partials, the days kept, the calls of
the last minutes, on random batches with late calls, days far apart, repeated numbers
and pairs, missing handsets and cells, and a zone with summer time."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from scamnet.engine.features.subscriber_sql import NIGHT_END_HOUR, SHORT_CALL_S
from scamnet.lake import SCHEMAS, RecordKind
from scamnet.stream.rolling import RollingFeatures

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_DAY = 86_400_000_000


def add_one_by_one(rolling: RollingFeatures, table: pa.Table) -> None:
    """The update as it was, one call at a time (`_add_calls` before the grouping)."""
    rows = table.to_pydict()
    number = -1
    for caller, callee, start, dur, imei, cell in zip(
        rows["caller"], rows["callee"], rows["start"], rows["duration_s"], rows["imei"],
        rows["cell_id"], strict=True,
    ):  # fmt: skip
        us = (start - EPOCH) // timedelta(microseconds=1)
        if us // US_PER_DAY != number:
            number = us // US_PER_DAY
            d, day, offset = rolling._day_number(number)
        if offset is not None:
            night = (us // 1_000_000 + offset) % 86_400 < NIGHT_END_HOUR * 3600
        else:
            night = rolling._night(d, EPOCH + timedelta(microseconds=us))
        p = day.pairs.get((caller, callee))
        if p is None:
            p = (0, 0, 0, 0)
            day.out_pairs[caller].add(callee)
        day.pairs[(caller, callee)] = (p[0] + 1, p[1] + (dur < SHORT_CALL_S), p[2] + dur,
                                       p[3] + night)  # fmt: skip
        day.calls_in[callee] += 1
        day.durations[caller].append(dur)
        if imei is not None:
            day.imeis_of[caller].add(imei)
            day.sims_of[imei].add(caller)
        if cell is not None:
            cells = day.cells_of.setdefault(caller, {})
            cells[cell] = cells.get(cell, 0) + 1
        recent = rolling.recent[caller]
        recent.append(us)
        while recent[0] < us - rolling._minutes_us:
            recent.popleft()


def random_batch(rng: random.Random, base: datetime, n: int, zone: str,
                 numbers: list[str] | None = None) -> pa.Table:  # fmt: skip
    """``n`` random calls among ``numbers`` (by default 3, 12 or 60 new ones)."""
    if numbers is None:
        numbers = [f"+8613{rng.randrange(10**8):09d}" for _ in range(rng.choice((3, 12, 60)))]
    spread = rng.choice((timedelta(minutes=30), timedelta(days=2), timedelta(days=30)))
    rows: dict[str, list[Any]] = {name: [] for name in SCHEMAS[RecordKind.CALLS].names}
    for _ in range(n):
        at = base + spread * rng.random() - spread / 4  # late calls and early ones
        edge = rng.random()
        if edge < 0.15:  # exactly on a day's edge, or a microsecond before it
            at = datetime.combine(at.date(), time(0), UTC) - timedelta(
                microseconds=rng.choice((0, 1)))  # fmt: skip
        elif edge < 0.3:  # exactly at the night's end there, or a second before it
            at = datetime.combine(at.date(), time(NIGHT_END_HOUR), ZoneInfo(zone)).astimezone(
                UTC) - timedelta(seconds=rng.choice((0, 1)))  # fmt: skip
        rows["caller"].append(rng.choice(numbers))
        rows["callee"].append(rng.choice(numbers))
        rows["start"].append(at)
        rows["duration_s"].append(rng.choice((0, 1, SHORT_CALL_S - 1, SHORT_CALL_S, 600)))
        rows["imei"].append(rng.choice((None, "35693803564380", "490154203237518")))
        rows["cell_id"].append(rng.choice((None, "c1", "c2", "c3")))
    return pa.Table.from_pydict(rows, schema=SCHEMAS[RecordKind.CALLS])


def state(rolling: RollingFeatures) -> dict[str, Any]:
    return {
        "days": {d: vars(day) for d, day in rolling.days.items()},
        "recent": {m: list(q) for m, q in rolling.recent.items()},
    }


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin"])
@pytest.mark.parametrize("seed", range(6))
def test_grouped_update_equals_the_update_call_by_call(zone: str, seed: int) -> None:
    rng = random.Random(seed)
    # Berlin's last Sunday of October 2023 has two 2 a.m.s: night by the slow path.
    base = datetime(2023, 10, 29, 1, 30, tzinfo=UTC)
    grouped = RollingFeatures(timezone=zone, keep_days=3, minutes=rng.choice((1, 10)))
    loop = RollingFeatures(timezone=zone, keep_days=3, minutes=grouped._minutes_us // 60_000_000)
    for _ in range(8):
        table = random_batch(rng, base, rng.choice((1, 2, 40, 400)), zone)
        grouped.add_table("calls", table)
        add_one_by_one(loop, table)
        assert state(grouped) == state(loop)
        base += timedelta(hours=rng.choice((0, 5, 30)))
    assert grouped.days, "the batches left no day"
    day = max(grouped.days)
    for start in (day, day - timedelta(days=2)):
        assert grouped.table(start, day).to_pylist() == loop.table(start, day).to_pylist()


@pytest.mark.parametrize("seed", range(4))
def test_callers_with_one_call_take_the_short_step_to_the_same_state(seed: int) -> None:
    """Many numbers, few calls each: most callers have one call in a batch (the short
    step of `rolling_calls._lone_calls`), the others several, in batches of one day
    (the recent calls go the short way too) and of several; the state equals the
    update call by call's after each batch."""
    rng = random.Random(100 + seed)
    base = datetime(2023, 10, 29, 1, 30, tzinfo=UTC)
    grouped = RollingFeatures(keep_days=3, minutes=rng.choice((1, 10)))
    loop = RollingFeatures(keep_days=3, minutes=grouped._minutes_us // 60_000_000)
    numbers = [f"+8613{rng.randrange(10**8):09d}" for _ in range(400)]  # in every batch
    lone = single = 0
    for _ in range(8):
        table = random_batch(rng, base, rng.choice((200, 600)), "Asia/Shanghai", numbers)
        if rng.random() < 0.6:  # one day's calls only: the recent calls take it too
            starts = table.column("start").to_pylist()
            last = max(s.date() for s in starts)
            table = table.filter(pa.array([s.date() == last for s in starts]))
            single += 1
        counts = Counter(table.column("caller").to_pylist())
        lone += sum(1 for n in counts.values() if n == 1)
        grouped.add_table("calls", table)
        add_one_by_one(loop, table)
        assert state(grouped) == state(loop)
        base += timedelta(hours=rng.choice((0, 5, 30)))
    assert lone > 100 and single, "few callers with one call, or no batch of one day"
    day = max(grouped.days)
    assert grouped.table(day, day).to_pylist() == loop.table(day, day).to_pylist()


def test_a_late_call_to_a_day_dropped_starts_it_anew() -> None:
    """The loop drops days past ``keep_days`` when it reaches a newer one, and a call to
    a dropped day then starts that day afresh: the grouping must not merge the two."""
    old, new = datetime(2023, 10, 1, 12, tzinfo=UTC), datetime(2023, 10, 9, 12, tzinfo=UTC)
    table = pa.Table.from_pydict({
        "caller": ["+8613800000001"] * 3, "callee": ["+8613800000002"] * 3,
        "start": [old, new, old + timedelta(minutes=1)], "duration_s": [5, 5, 700],
        "imei": [None] * 3, "cell_id": [None] * 3,
    }, schema=SCHEMAS[RecordKind.CALLS])  # fmt: skip
    grouped, loop = RollingFeatures(keep_days=3), RollingFeatures(keep_days=3)
    grouped.add_table("calls", table)
    add_one_by_one(loop, table)
    assert state(grouped) == state(loop)
    assert grouped.days[date(2023, 10, 1)].durations["+8613800000001"] == [700]

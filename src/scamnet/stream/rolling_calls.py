"""A batch of calls into the rolling features' day partials, grouped with numpy.

The update used to be a loop over calls with a few dictionary updates each; at a
stream's rates that loop and the collector walking what it allocated were a quarter
of the intake's CPU. Here the arithmetic (day, night, short) is done on arrays, the
calls are grouped (per day and pair, per day and caller, per caller), and Python
touches each distinct pair and caller once. The result is the loop's, to the list
order of a caller's durations and of its recent calls: `tests/stream/
test_rolling_batch.py` checks it against the loop on random batches.

The one order that matters across groups is the days': the loop creates a day's
partials when a call reaches a day it does not hold, dropping days past
``keep_days`` then, so a late call may find a day dropped and start it anew. The
runs of calls on one day are walked in order, as the loop did, to find the
partials each run writes to; the calls are then grouped by those partials.
"""

from __future__ import annotations

from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from scamnet.engine.features.subscriber_sql import NIGHT_END_HOUR, SHORT_CALL_S

if TYPE_CHECKING:
    from scamnet.stream.rolling import Day, RollingFeatures

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_DAY = 86_400_000_000
I64 = npt.NDArray[np.int64]


def _codes(column: pa.ChunkedArray) -> tuple[I64, list[str]]:
    """Each value's index among the distinct values, and those values (a null, which a
    stored call never has, would be kept as None, as the loop kept it)."""
    encoded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def _bounds(*keys: I64) -> I64:
    """Where each run of equal ``keys`` begins in arrays sorted by them, and the end."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    return np.append(np.flatnonzero(change), n).astype(np.int64)


def _targets(rolling: RollingFeatures, us: I64) -> tuple[I64, list[Day], npt.NDArray[np.bool_]]:
    """The partials each call goes to (an index into the list returned), and its night."""
    number = us // US_PER_DAY
    runs = _bounds(number)
    target = np.empty(len(us), dtype=np.int64)
    night = np.empty(len(us), dtype=bool)
    days: list[Day] = []
    index: dict[int, int] = {}
    night_s = NIGHT_END_HOUR * 3600
    for a, b in zip(runs[:-1].tolist(), runs[1:].tolist(), strict=True):
        d, day, offset = rolling._day_number(int(number[a]))
        t = index.get(id(day))  # the list keeps each one alive, so ids stay distinct
        if t is None:
            t = index[id(day)] = len(days)
            days.append(day)
        target[a:b] = t
        if offset is not None:
            night[a:b] = (us[a:b] // 1_000_000 + offset) % 86_400 < night_s
        else:  # a zone with summer time that day: the loop's slow way, per call
            night[a:b] = [rolling._night(d, EPOCH + timedelta(microseconds=u))
                          for u in us[a:b].tolist()]  # fmt: skip
    return target, days, night


def add_call_table(rolling: RollingFeatures, table: pa.Table) -> None:
    """Every call of ``table`` (lake columns), in its order, into ``rolling``."""
    n = table.num_rows
    if not n:
        return
    us = pc.cast(table.column("start"), pa.int64()).to_numpy().astype(np.int64)
    target, days, night = _targets(rolling, us)
    caller, callers = _codes(table.column("caller"))
    callee, callees = _codes(table.column("callee"))
    dur = table.column("duration_s").to_numpy().astype(np.int64)
    _pairs(days, target, caller, callers, callee, callees, dur, night)
    _per_caller(rolling, days, target, caller, callers, callee, callees, dur, us)
    _devices_and_cells(days, target, caller, callers, table)


def _pairs(days: list[Day], target: I64, caller: I64, callers: list[str], callee: I64,
           callees: list[str], dur: I64, night: npt.NDArray[np.bool_]) -> None:  # fmt: skip
    """Sums per (day, caller, callee) and the calls each callee received. A new
    pair's sums go in by one ``dict.update`` (most pairs of a batch are new); a known
    pair's are added to it."""
    order = np.lexsort((callee, caller, target))
    bounds = _bounds(target[order], caller[order], callee[order])
    starts = bounds[:-1]
    first = order[starts]
    short = (dur < SHORT_CALL_S)[order].astype(np.int64)
    sums = [np.add.reduceat(x, starts).tolist()
            for x in (short, dur[order], night[order].astype(np.int64))]  # fmt: skip
    values = list(zip(np.diff(bounds).tolist(), *sums, strict=True))
    who = _names(callers, caller[first])
    whom = _names(callees, callee[first])
    keys = list(zip(who, whom, strict=True))
    on = target[first]
    per_day = _bounds(on)
    names_in = _names(callees, callee)
    for a, b in zip(per_day[:-1].tolist(), per_day[1:].tolist(), strict=True):
        t = int(on[a])
        day = days[t]
        pairs = day.pairs
        known = pairs.keys() & keys[a:b]
        if not known:
            pairs.update(zip(keys[a:b], values[a:b], strict=True))
        else:
            for key, (k, s, sec, ni) in zip(keys[a:b], values[a:b], strict=True):
                p = pairs.get(key)
                pairs[key] = (k, s, sec, ni) if p is None else (
                    p[0] + k, p[1] + s, p[2] + sec, p[3] + ni)  # fmt: skip
        day.calls_in.update(names_in if len(days) == 1 else
                            [e for e, u in zip(names_in, (target == t).tolist(), strict=True)
                             if u])  # fmt: skip


def _names(names: list[str], codes: I64) -> list[str]:
    """The names of ``codes``, without a Python step per code."""
    picked: list[str] = np.array(names, dtype=object)[codes].tolist()
    return picked


def _per_caller(rolling: RollingFeatures, days: list[Day], target: I64, caller: I64,
                callers: list[str], callee: I64, callees: list[str], dur: I64,
                us: I64) -> None:  # fmt: skip
    """Each caller's callees and durations per day, and its recent calls: one Python
    step per (day, caller), the calls of each in their order.

    A caller with one call in the batch (the rule at a stream's rates: thousands of
    callers, a few calls each a minute) takes the short step, without slices or a
    function call; the callers are independent, so the two kinds of step may go in
    either order."""
    order = np.lexsort((caller, target))  # stable: each caller's calls stay in order
    bounds = _bounds(target[order], caller[order])
    first = order[bounds[:-1]]
    size = np.diff(bounds)
    single = len(days) == 1  # then the order is also each caller's, across days
    window, recent_of = rolling._minutes_us, rolling.recent
    lone = size == 1
    if lone.any():
        _lone_calls(days, target, first[lone], callers, caller, callees, callee, dur,
                    us if single else None, rolling)  # fmt: skip
    many = ~lone
    if many.any():
        durations, whom = dur[order].tolist(), _names(callees, callee[order])
        times = us[order].tolist()
        firsts = first[many]
        for t, c, a, b in zip(target[firsts].tolist(), caller[firsts].tolist(),
                              bounds[:-1][many].tolist(), bounds[1:][many].tolist(),
                              strict=True):  # fmt: skip
            day, name = days[t], callers[c]
            day.out_pairs[name].update(whom[a:b])
            day.durations[name].extend(durations[a:b])
            if single:
                _drop_old(recent_of[name], times[a:b], window)
    if not single:
        _recent(rolling, caller, callers, us)


def _lone_calls(days: list[Day], target: I64, rows: I64, callers: list[str], caller: I64,
                callees: list[str], callee: I64, dur: I64, us: I64 | None,
                rolling: RollingFeatures) -> None:  # fmt: skip
    """The calls at ``rows``, each its caller's only one of the day in the batch; their
    recent calls too when ``us`` is given (a batch of one day)."""
    names = _names(callers, caller[rows])
    whom = _names(callees, callee[rows])
    seconds = dur[rows].tolist()
    window, recent_of = rolling._minutes_us, rolling.recent
    if us is not None:  # one day: one pass does all
        day = days[0]
        out, durations = day.out_pairs, day.durations
        for name, w, d, u in zip(names, whom, seconds, us[rows].tolist(), strict=True):
            out[name].add(w)
            durations[name].append(d)
            recent = recent_of[name]
            recent.append(u)
            low = u - window
            while recent[0] < low:
                recent.popleft()
        return
    on = target[rows]
    for t in np.unique(on).tolist():
        day = days[t]
        out, durations = day.out_pairs, day.durations
        for name, w, d, keep in zip(names, whom, seconds, (on == t).tolist(), strict=True):
            if keep:
                out[name].add(w)
                durations[name].append(d)


def _devices_and_cells(days: list[Day], target: I64, caller: I64, callers: list[str],
                       table: pa.Table) -> None:  # fmt: skip
    for name in ("imei", "cell_id"):
        column = table.column(name)
        if column.null_count == len(column):
            continue
        present = pc.is_valid(column).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(present)
        values = column.take(pa.array(rows)).to_pylist()
        who = [callers[i] for i in caller[rows].tolist()]
        where = target[rows].tolist()
        if name == "imei":
            for t, c, imei in dict.fromkeys(zip(where, who, values, strict=True)):
                days[t].imeis_of[c].add(imei)
                days[t].sims_of[imei].add(c)
        else:
            for (t, c, cell), k in Counter(zip(where, who, values, strict=True)).items():
                cells = days[t].cells_of.setdefault(c, {})
                cells[cell] = cells.get(cell, 0) + k


def _recent(rolling: RollingFeatures, caller: I64, callers: list[str], us: I64) -> None:
    """Each caller's calls of the last minutes: appended in order, the older ones
    dropped from the front after each, as the loop did (late calls included)."""
    order = np.argsort(caller, kind="stable")
    bounds = _bounds(caller[order])
    values = us[order].tolist()
    window, recent_of = rolling._minutes_us, rolling.recent
    for c, a, b in zip(caller[order[bounds[:-1]]].tolist(), bounds[:-1].tolist(),
                       bounds[1:].tolist(), strict=True):  # fmt: skip
        _drop_old(recent_of[callers[c]], values[a:b], window)


def _drop_old(recent: deque[int], times: list[int], window: int) -> None:
    for u in times:
        recent.append(u)
        while recent[0] < u - window:
            recent.popleft()

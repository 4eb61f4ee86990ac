"""Subscriber features kept up to date record by record, with the batch definitions.

The batch features (`scamnet.engine.features.subscriber_sql`) aggregate per-day
partials: sums per (caller, callee), per (SIM, handset), per (SIM, cell), per
(sender, recipient), and each caller's durations. This module keeps the very same
partials in memory, updated batch by batch (`stream.rolling_calls` groups a batch of
calls with numpy; messages go one at a time), and computes
a subscriber's window of days from them with the same formulas as the SQL
``WINDOW``: `tests/stream/test_rolling.py` checks that the two tables are equal at
the window's end. A window of minutes (calls in the last ``minutes``) adds what
the day partials cannot see: a burst under way.

Days are UTC days, like the lake's partitions; night is local time, as in the SQL.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from scamnet.engine.features.subscriber_sql import FEATURES, NIGHT_END_HOUR
from scamnet.engine.features.subscribers import fixed_offset
from scamnet.stream.rolling_calls import add_call_table

URL = re.compile(r"https?://|www\.")  # the SQL's regexp_matches(text, 'https?://|www\.')
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True, slots=True)
class Cell:
    region: str | None
    country: str | None
    border: bool


@dataclass
class Day:
    """One UTC day's partial aggregates."""

    # n, short, dur, night: tuples, which the collector stops tracking (lists it would
    # walk at every full collection, one per pair of the day)
    pairs: dict[tuple[str, str], tuple[int, int, int, int]] = field(default_factory=dict)
    out_pairs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    calls_in: Counter[str] = field(default_factory=Counter)  # calls received
    durations: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    imeis_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sims_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cells_of: dict[str, dict[str, int]] = field(default_factory=dict)
    sms_of: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # n, n_url
    sms_in: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class RollingFeatures:
    """The per-day partials of every subscriber, updated record by record."""

    def __init__(self, timezone: str = "Asia/Shanghai", home_country: str = "CN",
                 cells: dict[str, Cell] | None = None, keep_days: int = 11,
                 minutes: int = 10) -> None:  # fmt: skip
        self.timezone, self.home = timezone, home_country
        self.cells = cells or {}
        self.keep_days = keep_days  # the look-back (7) and callback (3) days, and today
        self.minutes = timedelta(minutes=minutes)
        self.days: dict[date, Day] = {}
        self._minutes_us = minutes * 60 * 1_000_000
        self.recent: dict[str, deque[int]] = defaultdict(deque)  # call starts (µs)
        self._offsets: dict[date, int | None] = {}
        self._by_number: dict[int, tuple[date, Day, int | None]] = {}  # days since 1970

    def _day(self, at: datetime) -> tuple[date, Day]:
        return self._day_of(at.astimezone(UTC).date())

    def _day_of(self, d: date) -> tuple[date, Day]:
        day = self.days.get(d)
        if day is None:
            day = self.days[d] = Day()
            self._by_number.clear()
            for old in [k for k in self.days if k < d - timedelta(days=self.keep_days)]:
                del self.days[old]
        return d, day

    def _night(self, d: date, at: datetime) -> bool:
        if d not in self._offsets:
            self._offsets[d] = fixed_offset(self.timezone, d)
        offset = self._offsets[d]
        if offset is not None:
            seconds = (int(at.timestamp() // 1) + offset) % 86_400
        else:
            from zoneinfo import ZoneInfo

            local = at.astimezone(ZoneInfo(self.timezone))
            seconds = local.hour * 3600 + local.minute * 60 + local.second
        return seconds < NIGHT_END_HOUR * 3600

    def add_call(self, caller: str, callee: str, start: datetime, duration_s: int,
                 imei: str | None, cell_id: str | None) -> None:  # fmt: skip
        self.add_table("calls", pa.table({
            "caller": [caller], "callee": [callee], "start": pa.array([start], TS),
            "duration_s": pa.array([duration_s], pa.int32()), "imei": pa.array([imei], pa.string()),
            "cell_id": pa.array([cell_id], pa.string()),
        }))  # fmt: skip

    def _day_number(self, number: int) -> tuple[date, Day, int | None]:
        """Day ``number`` (since 1970), its partials and its fixed UTC offset (None: the
        zone has summer time that day)."""
        found = self._by_number.get(number)
        if found is None:
            d, day = self._day_of(EPOCH.date() + timedelta(days=number))
            if d not in self._offsets:
                self._offsets[d] = fixed_offset(self.timezone, d)
            found = self._by_number[number] = (d, day, self._offsets[d])
        return found

    def add_sms(self, sender: str, recipient: str, sent_at: datetime, text: str | None) -> None:
        _, day = self._day(sent_at)
        to = day.sms_of.setdefault(sender, {})
        s = to.get(recipient)
        if s is None:
            s = to[recipient] = [0, 0]
        s[0] += 1
        s[1] += bool(text and URL.search(text))
        day.sms_in[recipient] += 1

    def calls_in_last_minutes(self, msisdn: str) -> int:
        return len(self.recent.get(msisdn, ()))

    def add_table(self, kind: str, table: pa.Table) -> None:
        """Every record of a batch of calls or messages (lake columns)."""
        if kind == "calls":
            add_call_table(self, table)
        elif kind == "messages":
            cols = table.to_pydict()
            for sender, recipient, sent_at, text in zip(
                cols["sender"], cols["recipient"], cols["sent_at"], cols["text"], strict=True
            ):
                self.add_sms(sender, recipient, sent_at, text)

    def _window(self, start: date, end: date) -> list[tuple[date, Day]]:
        return sorted((d, day) for d, day in self.days.items() if start <= d <= end)

    def features(self, msisdns: list[str], start: date, end: date, callback_days: int = 3,
                 lookback_days: int = 7) -> list[dict[str, Any]]:  # fmt: skip
        """The features of ``msisdns`` over the window of UTC days [start, end]."""
        window = self._window(start, end)
        history = self._window(start - timedelta(days=lookback_days), start - timedelta(days=1))
        sims_on: dict[str, set[str]] = defaultdict(set)
        for _, day in window:
            for imei, sims in day.sims_of.items():
                sims_on[imei] |= sims
        return [self._one(m, window, history, sims_on, callback_days) for m in msisdns]

    def table(self, start: date, end: date, callback_days: int = 3,
              lookback_days: int = 7) -> pa.Table:  # fmt: skip
        """Every subscriber who called or messaged in the window, as the batch table."""
        who: set[str] = set()
        for _, day in self._window(start, end):
            who |= day.out_pairs.keys()
            who |= day.sms_of.keys()
        rows = self.features(sorted(who), start, end, callback_days, lookback_days)
        return (
            pa.Table.from_pylist(rows) if rows else pa.table({"msisdn": pa.array([], pa.string())})
        )

    def _one(self, m: str, window: list[tuple[date, Day]], history: list[tuple[date, Day]],
             sims_on: dict[str, set[str]], callback_days: int) -> dict[str, Any]:  # fmt: skip
        calls_out = n_short = dur = n_night = calls_in = 0
        pair_n: dict[str, int] = defaultdict(int)
        first_day: dict[str, date] = {}
        durations: list[int] = []
        devices: set[str] = set()
        cell_n: dict[str, int] = defaultdict(int)
        sms_out = sms_url = sms_in = 0
        recipients: set[str] = set()
        for d, day in window:
            for callee in day.out_pairs.get(m, ()):
                n, short, seconds, night = day.pairs[(m, callee)]
                calls_out, n_short, dur, n_night = (calls_out + n, n_short + short,
                                                    dur + seconds, n_night + night)  # fmt: skip
                pair_n[callee] += n
                first_day.setdefault(callee, d)
            calls_in += day.calls_in.get(m, 0)
            durations += day.durations.get(m, [])
            devices |= day.imeis_of.get(m, set())
            for cell, n in day.cells_of.get(m, {}).items():
                cell_n[cell] += n
            for r, (n, n_url) in day.sms_of.get(m, {}).items():
                sms_out, sms_url = sms_out + n, sms_url + n_url
                recipients.add(r)
            sms_in += day.sms_in.get(m, 0)
        distinct = len(pair_n)
        returned = sum(
            1 for callee, first in first_day.items()
            if any(first <= d <= first + timedelta(days=callback_days)
                   and m in day.out_pairs.get(callee, ()) for d, day in window)
        )  # fmt: skip
        seen_before = {c for _, day in history for c in day.out_pairs.get(m, ())}
        new = sum(1 for callee in pair_n if callee not in seen_before)
        per_sim = [len(sims_on[i]) for i in devices]
        regions = {self.cells[c].region for c in cell_n if c in self.cells} - {None}
        n_cell = sum(cell_n.values())
        n_border = sum(n for c, n in cell_n.items() if c in self.cells and self.cells[c].border)
        n_foreign = sum(
            n for c, n in cell_n.items()
            if c in self.cells and self.cells[c].country is not None
            and self.cells[c].country != self.home
        )  # fmt: skip
        out = calls_out or None  # the SQL's CASE WHEN calls_out > 0
        return {
            "msisdn": m,
            "calls_out": calls_out,
            "calls_in": calls_in,
            "distinct_callees": distinct,
            "callee_concentration": max(pair_n.values()) / out if out else None,
            "short_call_ratio": n_short / out if out else None,
            "mean_duration": dur / out if out else None,
            "median_duration": float(statistics.median(durations)) if durations else None,
            "night_ratio": n_night / out if out else None,
            "callback_ratio": returned / distinct if distinct else None,
            "new_contact_ratio": new / distinct if distinct else None,
            "imeis_per_sim": len(devices),
            "sims_per_imei": max(per_sim) if per_sim else 0,
            "cells_visited": len(cell_n),
            "regions_visited": len(regions),
            "border_ratio": n_border / n_cell if n_cell else None,
            "foreign_ratio": n_foreign / n_cell if n_cell else None,
            "sms_out": sms_out,
            "sms_in": sms_in,
            "sms_recipients": len(recipients),
            "sms_with_url": sms_url,
        }


assert set(FEATURES) == {
    "calls_out",
    "calls_in",
    "distinct_callees",
    "callee_concentration",
    "short_call_ratio",
    "mean_duration",
    "median_duration",
    "night_ratio",
    "callback_ratio",
    "new_contact_ratio",
    "imeis_per_sim",
    "sims_per_imei",
    "cells_visited",
    "regions_visited",
    "border_ratio",
    "foreign_ratio",
    "sms_out",
    "sms_in",
    "sms_recipients",
    "sms_with_url",
}, "a batch feature was added: add it to the stream's RollingFeatures too"

"""Computing the subscriber feature table, one day of partials at a time.

``SubscriberFeatures.compute(start, end)`` makes sure every day in the window
(and the look-back before it) has its partial aggregates, computing only the
days that are missing or whose records changed since, then aggregates the
window from the partials.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa

from scamnet.engine.base import AnalyticsEngine, Relation
from scamnet.engine.features.subscriber_sql import FEATURES, PARTIALS, WINDOW, local_seconds
from scamnet.lake import SCHEMAS, RecordKind, RecordLake, Snapshot

CELL_REF = pa.schema(
    [("cell_id", pa.string()), ("region", pa.string()), ("country", pa.string()),
     ("border", pa.bool_())]
)  # fmt: skip
PARTIAL_SOURCES = {"sms": RecordKind.MESSAGES}  # every other partial reads calls
# What the partials mean: when their SQL changes, every day's partials are stale.
DEFINITION = hashlib.sha256(json.dumps(PARTIALS, sort_keys=True).encode()).hexdigest()[:16]


def fixed_offset(tz_name: str, day: date) -> int | None:
    """The zone's UTC offset in seconds if it is the same all of ``day``, else None."""
    zone = ZoneInfo(tz_name)
    start = datetime.combine(day, time.min, tzinfo=UTC)
    offsets = {(start + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(0, 25, 6)}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return int(offset.total_seconds()) if offset is not None else None


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


class SubscriberFeatures:
    """Subscriber features over a window of days, kept incrementally under ``root``."""

    def __init__(
        self, engine: AnalyticsEngine, lake: RecordLake, root: Path,
        cells: pa.Table | None = None, timezone: str = "Asia/Shanghai", home_country: str = "CN",
    ) -> None:  # fmt: skip
        self.engine, self.lake, self.root = engine, lake, root
        self.timezone, self.home = timezone, home_country
        self.engine.register_arrow(
            "cell_ref", cells if cells is not None else CELL_REF.empty_table()
        )
        self.manifest_path = root / "partials" / "manifest.json"
        self.last_computed: list[date] = []

    def _manifest(self) -> dict[str, str]:
        if self.manifest_path.exists():
            data: dict[str, str] = json.loads(self.manifest_path.read_text())
            return data
        return {}

    def _fingerprint(self, snaps: dict[RecordKind, Snapshot], day: date) -> str:
        # The definitions and the time zone are part of it: a partial computed by an
        # older definition, or for another zone's nights, is stale too.
        h = hashlib.sha256(f"{DEFINITION}\n{self.timezone}\n".encode())
        for kind, snap in snaps.items():
            for f in snap.files_on([day.isoformat()]):
                h.update(f"{kind}/{f.name}:{f.stat().st_size}\n".encode())
        return h.hexdigest()

    def ensure_partials(self, days: list[date]) -> list[date]:
        """Compute the partials of each day that is missing or stale; return those days.

        The lake is read at one committed snapshot per kind: a batch committed
        meanwhile is seen by the next run, never half of it by this one.
        """
        manifest = self._manifest()
        snaps = {k: self.lake.snapshot(k) for k in (RecordKind.CALLS, RecordKind.MESSAGES)}
        done: list[date] = []
        for day in days:
            fingerprint = self._fingerprint(snaps, day)
            if manifest.get(day.isoformat()) == fingerprint:
                continue
            self._compute_day(snaps, day)
            manifest[day.isoformat()] = fingerprint
            done.append(day)
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        return done

    def _compute_day(self, snaps: dict[RecordKind, Snapshot], day: date) -> None:
        views = {}
        for kind, snap in snaps.items():
            files = snap.files_on([day.isoformat()])
            views[kind] = self.engine.register_parquet(f"day_{kind.value}", files, SCHEMAS[kind])
        seconds = local_seconds(self.timezone, fixed_offset(self.timezone, day))
        for name, template in PARTIALS.items():
            query = template.format(
                calls=views[RecordKind.CALLS].name,
                messages=views[RecordKind.MESSAGES].name,
                local_seconds=seconds,
            )
            # A directory per day: Spark writes a day's partial as several files.
            target = self.root / "partials" / name / f"day={day}"
            self.engine.write_parquet_dir(self.engine.sql(query), target)

    def compute(
        self, start: date, end: date, callback_days: int = 3, lookback_days: int = 7
    ) -> Relation:
        """The feature table of the window [start, end], one row per subscriber."""
        if end < start:
            raise ValueError(f"the window ends ({end}) before it starts ({start})")
        lookback = start - timedelta(days=lookback_days)
        available = set(self.lake.days(RecordKind.CALLS)) | set(self.lake.days(RecordKind.MESSAGES))
        days = [d for d in days_between(lookback, end) if d.isoformat() in available]
        self.last_computed = self.ensure_partials(days)
        names = {}
        for name in PARTIALS:
            files = sorted((self.root / "partials" / name).glob("day=*/*.parquet"))
            wanted = [
                f for f in files if lookback.isoformat() <= f.parent.name[4:] <= end.isoformat()
            ]
            names[name] = self._partial_view(name, wanted).name
        query = WINDOW.format(**names, cell_ref="cell_ref", start=start, end=end,
                              lookback=lookback, callback_days=int(callback_days),
                              home=self.home)  # fmt: skip
        return self.engine.sql(query)

    def _partial_view(self, name: str, files: list[Path]) -> Relation:
        if files:
            return self.engine.register_parquet(f"partial_{name}", files, pa.schema([]))
        # No data in the window: the partial's query over empty records gives its columns.
        calls = self.engine.register_arrow("no_calls", SCHEMAS[RecordKind.CALLS].empty_table())
        msgs = self.engine.register_arrow("no_messages", SCHEMAS[RecordKind.MESSAGES].empty_table())
        query = PARTIALS[name].format(
            calls=calls.name, messages=msgs.name, local_seconds=local_seconds("UTC", 0)
        )
        return self.engine.sql(f"SELECT *, CAST(NULL AS DATE) AS day FROM ({query}) q")


__all__ = ["FEATURES", "SubscriberFeatures", "days_between"]

"""What happens to a record on arrival: features, scores, watch list, the queue.

For each batch of records newly stored (never a redelivered one: the lake's
natural-key check has already set those aside):

1. calls and messages update the senders' rolling features (`stream.rolling`);
2. each record's scam side (the caller, the sender, the account paid) is looked up
   in the watch list (`stream.watchlist`);
3. callers not on it are scored by the champion subscriber model on their features
   of the day so far, and messages by the champion message model; a score at or
   above ``STRONG`` (and the model's own threshold) is an alert in the store, and
   its subject is watched from then on;
4. every person contacted by a watched or strongly alerted identifier, or who pays a
   flagged account, enters the dissuasion queue (`stream.queue`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scamnet.core.records import FraudType
from scamnet.detect.artifacts import UntrustedModel
from scamnet.detect.detectors import ALGORITHMS, Trained, inputs_from_table, score
from scamnet.detect.registry import ModelRegistry, NoModel
from scamnet.lake import SCHEMAS, RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.alerts import Alert, AlertRepository
from scamnet.store.dissuasion import Contact, DissuasionRepository, Watched, WatchRepository
from scamnet.stream.rolling import Cell, RollingFeatures
from scamnet.stream.watchlist import STRONG, Flag, WatchList

log = logging.getLogger(__name__)
# The subscriber model learnt from whole days of calls. A subscriber's first calls of
# the day look like almost anything to it (no call received yet, one cell): scored
# then, ordinary callers came out above 0.99 in the replay of the demo world. Scores
# count from this many calls made in the day.
MIN_CALLS = 5
CHANNEL = {"calls": "call", "messages": "message", "transfers": "transfer"}


@dataclass
class Champions:
    """The current champion models the stream scores with (either may be absent)."""

    subscriber: Trained | None = None
    message: Trained | None = None

    @classmethod
    def load(cls, settings: Settings) -> Champions:
        registry = ModelRegistry(settings)
        found = cls()
        for kind in ("subscriber", "message"):
            try:
                _, trained = registry.champion(kind)
            except NoModel:
                continue
            except UntrustedModel as exc:  # scored without it, and said loudly
                log.error("the %s champion is not loaded: %s", kind, exc)
                continue
            setattr(found, kind, trained)
        return found


def record_key(kind: str, *parts: Any) -> str:
    """The hash of a record's natural key: one queue item per record, however delivered."""
    text = "\x1f".join([kind, *(str(p) for p in parts)])
    return hashlib.sha256(text.encode()).hexdigest()


class ArrivalProcessor:
    """Scores arriving records and queues the people to warn, for ``agency``."""

    def __init__(self, store: Store, settings: Settings, agency: str,
                 champions: Champions | None = None, refresh_s: float = 30.0) -> None:  # fmt: skip
        self.store, self.settings, self.agency = store, settings, agency
        self.champions = champions if champions is not None else Champions.load(settings)
        self.watch = WatchList(refresh_s)
        self.rolling = RollingFeatures(cells=self._cells())
        self.flagged: dict[str, Flag] = {}  # subjects of the stream's own strong alerts

    def _cells(self) -> dict[str, Cell]:
        with self.store.session() as session:
            return {c: Cell(r, k, bool(b)) for c, r, k, b in WatchRepository(session).cells()}

    def warm(self, today: date) -> int:
        """Load the lake's committed calls and messages of the days the windows need
        (today and the look-back) into the rolling features, and load the watch list;
        return the records read.

        A worker that starts, or restarts after a crash, then computes the same
        features as one that never stopped. Records pushed meanwhile are not lost:
        the intake hands on only rows it stored itself, never one of these twice.
        """
        # The watch list too, now rather than with the first group: the first records
        # would otherwise wait for it, and a benchmark's steady state pay for it.
        with self.store.session() as session:
            self.watch.load(session)
        lake = RecordLake(self.settings.lake_dir)
        days = [(today - timedelta(days=i)).isoformat() for i in range(self.rolling.keep_days)]
        n = 0
        for kind in (RecordKind.CALLS, RecordKind.MESSAGES):
            files = lake.snapshot(kind).files_on(days)
            if not files:
                continue
            names = SCHEMAS[kind].names
            table = pa.concat_tables([pq.read_table(f, columns=names) for f in files])
            column = "start" if kind is RecordKind.CALLS else "sent_at"
            table = table.sort_by(column)
            self.rolling.add_table(kind.value, table)
            n += table.num_rows
        return n

    def flag_of(self, identifier: str | None) -> Flag | None:
        if not identifier:
            return None
        return self.watch.get(identifier) or self.flagged.get(identifier)

    def _flagged(self, identifiers: list[str | None]) -> set[str]:
        """Those of ``identifiers`` with a flag, found by set intersection in C: a
        ``flag_of`` call per distinct number of a group was a tenth of its CPU."""
        given = set(identifiers)
        found = (self.watch.flags.keys() & given) | (self.flagged.keys() & given)
        found.discard("")  # no identifier, never flagged (as in ``flag_of``)
        return found

    def __call__(self, kind: str, batches: list[tuple[Any, datetime, str | None]]
                 ) -> list[tuple[int, int]]:  # fmt: skip
        """Process the rows a group of batches stored, each batch given as (rows, arrival,
        the data provider's agency); return (alerts raised, people queued) per batch.

        The rows of the group update the features and are scored together, as one
        batch of their records would be; each batch's people to warn go to its
        provider's agency (else the processor's) and are counted for it. An alert is
        counted for the batch holding the subject's first record of the group.
        """
        if self.watch.due():
            with self.store.session() as session:
                self.watch.load(session)
        if kind == "reports":
            for rows, _, _ in batches:
                self.watch.add(_reported(rows))
            return [(0, 0)] * len(batches)
        tables: list[pa.Table] = [rows for rows, _, _ in batches]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        alerts: list[Alert] = []
        if kind in ("calls", "messages"):
            self.rolling.add_table(kind, table)
        if kind == "calls":
            alerts += self._score_callers(table)
        elif kind == "messages":
            alerts += self._score_messages(table)
        owner = _owners(kind, tables, alerts)
        contacts = [self._contacts(kind, rows, arrived_at) for rows, arrived_at, _ in batches]
        queued = [0] * len(batches)
        if alerts or any(contacts):  # as a rule neither: no transaction at all then
            with self.store.session() as session:
                if alerts:
                    AlertRepository(session).add_many(alerts)
                queue = DissuasionRepository(session)
                for j, (_, _, agency) in enumerate(batches):
                    if contacts[j]:
                        queued[j] = queue.enqueue(agency or self.agency, contacts[j])
        return [(owner.count(j), queued[j]) for j in range(len(batches))]

    def _score_callers(self, table: pa.Table) -> list[Alert]:
        trained = self.champions.subscriber
        if trained is None or not table.num_rows:
            return []
        unique = pc.unique(table.column("caller")).to_pylist()
        flagged = self._flagged(unique)
        callers = sorted(c for c in unique if c is not None and c not in flagged)
        if not callers:
            return []
        day = pc.max(table.column("start")).as_py().astimezone(UTC).date()
        rows = [r for r in self.rolling.features(callers, day, day)
                if r["calls_out"] >= MIN_CALLS]  # fmt: skip
        if not rows:
            return []
        callers = [r["msisdn"] for r in rows]
        feats = pa.Table.from_pylist(rows)
        result = score(trained, inputs_from_table("subscriber", feats), explain=True)
        out = []
        for caller, s, why in zip(callers, result["score"], result["why"], strict=True):
            if s >= max(STRONG, _threshold(trained)):
                burst = self.rolling.calls_in_last_minutes(caller)
                reason = (
                    f"{why}; {burst} calls in the last {self.rolling.minutes.seconds // 60} min"
                )
                self.flagged[caller] = Flag("model", FraudType.OTHER.value, float(s),
                                            f"subscriber model: {reason}")  # fmt: skip
                out.append(Alert("subscriber", caller, float(s), trained.positive,
                                 ALGORITHMS["subscriber"], f"stream:{day}",
                                 reason))  # fmt: skip
        return out

    def _score_messages(self, table: pa.Table) -> list[Alert]:
        trained = self.champions.message
        if trained is None or not table.num_rows:
            return []
        cols = table.to_pydict()
        ids = [
            record_key("messages", s, r, t, x)[:32]
            for s, r, t, x in zip(
                cols["sender"], cols["recipient"], cols["sent_at"], cols["text"], strict=True
            )
        ]
        inputs = inputs_from_table("message", pa.table({"message_id": ids, "text": cols["text"]}))
        result = score(trained, inputs, explain=True)
        out = []
        for i, (s, why) in enumerate(zip(result["score"], result["why"], strict=True)):
            if s >= max(STRONG, _threshold(trained)):
                sender = cols["sender"][i]
                if not self.flag_of(sender):
                    self.flagged[sender] = Flag("model", FraudType.OTHER.value, float(s),
                                                f"message model: {why}")  # fmt: skip
                out.append(Alert("message", ids[i], float(s), trained.positive,
                                 trained.algorithm,
                                 f"stream:{cols['sent_at'][i].date()}", why))  # fmt: skip
        return out

    def _contacts(self, kind: str, table: pa.Table, arrived_at: datetime) -> list[Contact]:
        scam_side = {"calls": "caller", "messages": "sender", "transfers": "target"}.get(kind)
        if scam_side is None:
            return []
        # Only the rows whose scam side is flagged strongly can queue anyone: found from
        # the distinct identifiers first, the rest of the batch is never turned into
        # Python values.
        sides = pc.unique(table.column(scam_side)).to_pylist()
        flags = [(x, self.flag_of(x)) for x in sorted(self._flagged(sides))]
        strong = [x for x, f in flags if f is not None and f.risk >= STRONG * 0.95]
        if not strong:
            return []
        table = table.filter(pc.is_in(table.column(scam_side), pa.array(strong, pa.string())))
        cols = table.to_pydict()
        profile = self.watch.profile
        out: list[Contact] = []
        items: list[tuple[Any, ...]]
        if kind == "calls":
            pairs = zip(cols["caller"], cols["callee"], cols["start"], strict=True)
            items = [(c, v, t, None, None, (c, v, t)) for c, v, t in pairs]
        elif kind == "messages":
            pairs4 = zip(cols["sender"], cols["recipient"], cols["sent_at"], cols["text"],
                         strict=True)  # fmt: skip
            items = [(s, r, t, None, None, (s, r, t, x)) for s, r, t, x in pairs4]
        elif kind == "transfers":
            # The payer is the one to warn; the account paid is the scam side.
            pairs5 = zip(cols["target"], cols["source"], cols["at"], cols["amount"],
                         cols["currency"], strict=True)  # fmt: skip
            items = [(tg, src, t, a, cur, (src, tg, a, t)) for tg, src, t, a, cur in pairs5]
        else:
            return out
        for scam, victim, at, amount, currency, key in items:
            flag = self.flag_of(scam)
            if flag is None or flag.risk < STRONG * 0.95 or self.flag_of(victim):
                continue  # weak, or a scam line calling another: nobody to warn
            value = float(amount) if amount is not None else None
            out.append(Contact(
                record_key(kind, *key), victim, scam, CHANNEL[kind], at, arrived_at,
                flag.risk, flag.source, flag.reason, flag.fraud_type,
                Decimal(str(amount)) if amount is not None else None, currency,
                profile.urgency(flag.risk, flag.fraud_type, value),
            ))  # fmt: skip
        return out


def _owners(kind: str, tables: list[pa.Table], alerts: list[Alert]) -> list[int]:
    """The batch each alert is counted for: the first holding its subject's record."""
    if not alerts:
        return []
    first: dict[str, int] = {}
    for j, t in enumerate(tables):
        if kind == "calls":
            subjects = t.column("caller").to_pylist()
        else:  # a message alert's subject is the message's key
            cols = t.to_pydict()
            subjects = [record_key("messages", s, r, at, x)[:32] for s, r, at, x in
                        zip(cols["sender"], cols["recipient"], cols["sent_at"], cols["text"],
                            strict=True)]  # fmt: skip
        for subject in subjects:
            first.setdefault(subject, j)
    return [first.get(a.subject, 0) for a in alerts]


def _reported(rows: list[dict[str, Any]]) -> list[Watched]:
    out = []
    for r in rows:
        for col in ("scammer_phone", "scammer_account"):
            if r.get(col):
                out.append(Watched(str(r[col]), "reports", str(r.get("fraud_type") or "other"),
                                   1.0))  # fmt: skip
    return out


def _threshold(trained: Trained) -> float:
    return float(getattr(trained.model, "threshold", 0.5))

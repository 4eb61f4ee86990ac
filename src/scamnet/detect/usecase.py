"""The detection use cases: build the subscriber features of a window, and score a
window with a kind's model and store the alerts.

``scamnet features`` and ``scamnet detect`` and the API's jobs call these; they
present the results, these compute and store them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from scamnet.core.errors import DomainError
from scamnet.detect.alerts import (
    account_alerts,
    alerts_from,
    message_table,
    transfer_table,
    url_table,
)
from scamnet.detect.detectors import Trained
from scamnet.detect.recording import Recorded, record_alerts
from scamnet.detect.registry import ModelRegistry
from scamnet.detect.reputation import Reputation, reported_domains
from scamnet.engine import AnalyticsEngine, open_engine
from scamnet.engine.features.subscriber_sql import FEATURES
from scamnet.engine.features.subscribers import CELL_REF, SubscriberFeatures
from scamnet.lake import RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.alerts import Alert
from scamnet.store.seeds import SqlNetworkInputs
from scamnet.store.seeds import cell_reference as stored_cells

DETECT_KINDS = ("subscriber", "message", "url", "account")


class BadWindow(DomainError):
    """A window whose last day is before its first."""


@contextmanager
def engine_of(settings: Settings) -> Iterator[AnalyticsEngine]:
    """The engine the settings choose, closed after use (EngineUnavailable if it cannot
    run here)."""
    engine = open_engine(settings)
    try:
        yield engine
    finally:
        engine.close()


def cell_reference(store: Store) -> pa.Table:
    """The cell table from the store, as the features need it."""
    with store.session() as session:
        return stored_cells(session, CELL_REF)


@dataclass(frozen=True, slots=True)
class FeatureBuild:
    """What ``features subscribers`` computed: the rows, which days were new, where."""

    first: date
    last: date
    rows: int
    features: tuple[str, ...]
    computed: list[date]
    target: Path


def build_subscriber_features(settings: Settings, store: Store, first: date, last: date,
                              callback_days: int = 3, lookback_days: int = 7,
                              out: Path | None = None) -> FeatureBuild:  # fmt: skip
    """Per-subscriber features over a window, written as Parquet (day partials are kept:
    adding a day computes that day only).

    Raises:
        BadWindow: ``last`` is before ``first``.
        EngineUnavailable: the configured engine cannot run here.
    """
    if last < first:
        raise BadWindow("--to is before --from")
    target = out or settings.features_dir / f"subscribers_{first}_{last}.parquet"
    with engine_of(settings) as engine:
        feats = SubscriberFeatures(engine, RecordLake(settings.lake_dir), settings.features_dir,
                                   cell_reference(store))  # fmt: skip
        rel = feats.compute(first, last, callback_days, lookback_days)
        engine.write_parquet(rel, target)
    rows = pq.read_metadata(target).num_rows
    return FeatureBuild(first, last, rows, tuple(FEATURES), list(feats.last_computed), target)


def subscriber_table(settings: Settings, store: Store, first: date, last: date) -> pa.Table:
    """The subscriber feature table of the window, computed (incrementally) from the lake."""
    with engine_of(settings) as engine:
        feats = SubscriberFeatures(engine, RecordLake(settings.lake_dir), settings.features_dir,
                                   cell_reference(store))  # fmt: skip
        return engine.to_arrow(feats.compute(first, last))


def trained_model(settings: Settings, model_dir: Path | None, kind: str) -> Trained:
    """The model asked for, or the kind's champion; verified with the data directory's key.

    Raises:
        NoModel: no champion of the kind, or no model at ``model_dir``.
        UntrustedModel: the model's signature does not verify.
    """
    registry = ModelRegistry(settings)
    if model_dir is None:
        return registry.champion(kind)[1]
    return registry.load(model_dir, kind)


@dataclass(frozen=True)
class Window:
    """What a detection works with: the store, the lake in an engine, the days."""

    settings: Settings
    store: Store
    engine: AnalyticsEngine
    first: date
    last: date

    @property
    def text(self) -> str:
        return f"{self.first}/{self.last}"


def _subscribers(trained: Trained, w: Window) -> list[Alert]:
    table = subscriber_table(w.settings, w.store, w.first, w.last)
    return alerts_from("subscriber", trained, table, "msisdn", w.text)


def _messages(trained: Trained, w: Window) -> list[Alert]:
    return alerts_from("message", trained, message_table(w.engine, w.first, w.last),
                       "message_id", w.text)  # fmt: skip


def _urls(trained: Trained, w: Window) -> list[Alert]:
    """Judged from the URL itself, and raised by every victim report naming its domain."""
    with w.store.session() as session:
        named = SqlNetworkInputs(session).reported_urls()
    reputation = Reputation(reported_domains(named))
    return alerts_from("url", trained, url_table(w.engine, w.first, w.last), "url", w.text,
                       reputation)  # fmt: skip


def _accounts(trained: Trained, w: Window) -> list[Alert]:
    return account_alerts(trained, transfer_table(w.engine, w.first, w.last), w.text)


FINDERS: dict[str, Callable[[Trained, Window], list[Alert]]] = {
    "subscriber": _subscribers, "message": _messages, "url": _urls, "account": _accounts,
}  # fmt: skip


def detect(settings: Settings, store: Store, user: str, kind: str, first: date, last: date,
           model_dir: Path | None = None, top: int = 10) -> Recorded:  # fmt: skip
    """Score the window with the kind's model and store the alerts (the run is audited
    as ``user``); returns what was stored and the window's ``top`` alerts.

    Raises:
        NoModel, UntrustedModel: as `trained_model`.
        EngineUnavailable: the configured engine cannot run here.
    """
    find = FINDERS[kind]
    trained = trained_model(settings, model_dir, kind)
    with engine_of(settings) as engine:
        engine.attach_lake(RecordLake(settings.lake_dir))
        window = Window(settings, store, engine, first, last)
        alerts = find(trained, window)
        with store.session() as session:
            return record_alerts(session, user, alerts, kind, window.text, top)

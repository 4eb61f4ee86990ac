"""``scamnet detect``: score the ingested data with a trained model and store alerts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    console,
    fail,
    open_store,
    settings_for,
)
from scamnet.cli.engines import engine_for
from scamnet.cli.features import cell_reference, parse_day
from scamnet.cli.output import Table
from scamnet.detect.alerts import (
    account_alerts,
    alerts_from,
    message_table,
    transfer_table,
    url_table,
)
from scamnet.detect.artifacts import UntrustedModel
from scamnet.detect.detectors import Trained
from scamnet.detect.recording import record_alerts
from scamnet.detect.registry import ModelRegistry, NoModel
from scamnet.detect.reputation import Reputation, reported_domains
from scamnet.engine.base import AnalyticsEngine
from scamnet.engine.features.subscribers import SubscriberFeatures
from scamnet.lake import RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.alerts import Alert
from scamnet.store.seeds import SqlNetworkInputs

app = typer.Typer(help="Score the ingested data and store alerts with their reasons.")
ModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="A model directory from `model train` (default: the kind's champion in the "
        "data directory's model registry, see `model list`).",
        show_default=False,
    ),
]
FromOpt = Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOpt = Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")]
TopOpt = Annotated[int, typer.Option(help="How many of the top alerts to show.")]


def _trained(settings: Settings, model_dir: Path | None, kind: str) -> Trained:
    """The model asked for, or the kind's champion; verified with the key of the data
    directory at hand."""
    registry = ModelRegistry(settings)
    try:
        if model_dir is None:
            return registry.champion(kind)[1]
        return registry.load(model_dir, kind)
    except (UntrustedModel, NoModel) as exc:
        raise fail(str(exc), 2) from None


def print_alerts(alerts: list[Alert], title: str) -> None:
    table = Table(title=title)
    for col in ("subject", "score", "label", "why"):
        table.add_column(col, overflow="fold")
    for a in alerts:
        table.add_row(a.subject, f"{a.score:.3f}", a.label, a.explanation)
    console.print(table)


def store_alerts(store: Store, alerts: list[Alert], kind: str, top: int, user: str,
                 window: str) -> None:  # fmt: skip
    """Record the run (alerts stored, run audited) and show the strongest alerts."""
    with store.session() as session:
        run = record_alerts(session, user, alerts, kind, window, top)
    console.print(f"{run.stored:,} {kind} alerts ({run.new:,} new) stored")
    print_alerts(run.shown, f"top {kind} alerts (suspected, pending review)")


@contextmanager
def _opened(data_dir: Path | None) -> Iterator[tuple[Settings, Store]]:
    settings = settings_for(data_dir)
    store = open_store(settings)
    store.upgrade()
    try:
        yield settings, store
    finally:
        store.dispose()


def subscriber_table(store: Store, data_dir: Path, first: date, last: date) -> pa.Table:
    """The subscriber feature table of the window, computed (incrementally) from the lake."""
    settings = settings_for(data_dir)
    with engine_for(settings) as engine:
        feats = SubscriberFeatures(engine, RecordLake(settings.lake_dir), settings.features_dir,
                                   cell_reference(store))  # fmt: skip
        return engine.to_arrow(feats.compute(first, last))


@dataclass(frozen=True)
class Run:
    """What a detect command works with: the store, the lake in an engine, the window."""

    settings: Settings
    store: Store
    engine: AnalyticsEngine
    first: date
    last: date

    @property
    def window(self) -> str:
        return f"{self.first}/{self.last}"


def _detect(kind: str, model: Path | None, start: str, end: str, top: int,
            data_dir: Path | None, user: str, find: Callable[[Trained, Run], list[Alert]]
            ) -> None:  # fmt: skip
    """Load the model, open the store and the lake, find the alerts, store and show them."""
    first, last = parse_day(start), parse_day(end)
    trained = _trained(settings_for(data_dir), model, kind)
    with _opened(data_dir) as (settings, store), engine_for(settings) as engine:
        engine.attach_lake(RecordLake(settings.lake_dir))
        run = Run(settings, store, engine, first, last)
        store_alerts(store, find(trained, run), kind, top, user, run.window)


@app.command()
def subscribers(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on subscribers whose features over the window the model finds fraud-like."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        table = subscriber_table(run.store, run.settings.data_dir, run.first, run.last)
        return alerts_from("subscriber", trained, table, "msisdn", run.window)

    _detect("subscriber", model, start, end, top, data_dir, user, find)


@app.command()
def messages(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on messages in the window that the model reads as scams."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        table = message_table(run.engine, run.first, run.last)
        return alerts_from("message", trained, table, "message_id", run.window)

    _detect("message", model, start, end, top, data_dir, user, find)


@app.command()
def urls(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on URLs sent in messages over the window: judged from the URL itself, and
    raised by every victim report that names its domain."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        with run.store.session() as session:
            named = SqlNetworkInputs(session).reported_urls()
        table = url_table(run.engine, run.first, run.last)
        reputation = Reputation(reported_domains(named))
        return alerts_from("url", trained, table, "url", run.window, reputation)

    _detect("url", model, start, end, top, data_dir, user, find)


@app.command()
def accounts(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on accounts whose money flows over the window look like mules' or controllers'."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        return account_alerts(trained, transfer_table(run.engine, run.first, run.last), run.window)

    _detect("account", model, start, end, top, data_dir, user, find)

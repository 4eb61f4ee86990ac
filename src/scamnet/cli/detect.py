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
from sqlalchemy import select

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    console,
    fail,
    open_store,
    settings_for,
)
from scamnet.cli.features import cell_reference, parse_day
from scamnet.cli.output import Table
from scamnet.detect.alerts import (
    account_alerts,
    alerts_from,
    message_table,
    transfer_table,
    url_table,
)
from scamnet.detect.artifacts import UntrustedModel, load_model
from scamnet.detect.detectors import Trained
from scamnet.detect.reputation import Reputation, reported_domains
from scamnet.engine import open_engine
from scamnet.engine.base import AnalyticsEngine
from scamnet.engine.features.subscribers import SubscriberFeatures
from scamnet.lake import RecordLake
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.alerts import Alert, AlertRepository
from scamnet.store.audit import AuditLog
from scamnet.store.models import VictimReportRow

app = typer.Typer(help="Score the ingested data and store alerts with their reasons.")
ModelOpt = Annotated[Path, typer.Option("--model", help="A model directory from `model train`.")]
FromOpt = Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOpt = Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")]
TopOpt = Annotated[int, typer.Option(help="How many of the top alerts to show.")]


def _trained(model_dir: Path, kind: str) -> Trained:
    try:
        meta, trained = load_model(model_dir)
    except UntrustedModel as exc:
        raise fail(str(exc), 2) from None
    if meta.get("kind") != kind or not isinstance(trained, Trained):
        raise fail(f"{model_dir} does not hold a {kind} model", 2)
    return trained


def print_alerts(alerts: list[Alert], title: str) -> None:
    table = Table(title=title)
    for col in ("subject", "score", "label", "why"):
        table.add_column(col, overflow="fold")
    for a in alerts:
        table.add_row(a.subject, f"{a.score:.3f}", a.label, a.explanation)
    console.print(table)


def store_alerts(store: Store, alerts: list[Alert], kind: str, top: int, user: str,
                 window: str) -> None:  # fmt: skip
    """Store the alerts and show the strongest. Alerts name numbers and accounts, personal
    data, so the run is audited with the subjects it put on screen."""
    with store.session() as session:
        added = AlertRepository(session).add_many(alerts)
        shown = AlertRepository(session).top(kind, top, window)
        AuditLog(session).append(user, f"detect.{kind}", window, {
            "model": alerts[0].model if alerts else None, "alerts": len(alerts), "new": added,
            "shown": [a.subject for a in shown],
        })  # fmt: skip
    console.print(f"{len(alerts):,} {kind} alerts ({added:,} new) stored")
    print_alerts(shown, f"top {kind} alerts (suspected, pending review)")


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
    with open_engine("duckdb") as engine:
        feats = SubscriberFeatures(engine, RecordLake(data_dir / "lake"), data_dir / "features",
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


def _detect(kind: str, model: Path, start: str, end: str, top: int, data_dir: Path | None,
            user: str, find: Callable[[Trained, Run], list[Alert]]) -> None:  # fmt: skip
    """Load the model, open the store and the lake, find the alerts, store and show them."""
    first, last = parse_day(start), parse_day(end)
    trained = _trained(model, kind)
    with _opened(data_dir) as (settings, store), open_engine("duckdb") as engine:
        engine.attach_lake(RecordLake(settings.lake_dir))
        run = Run(settings, store, engine, first, last)
        store_alerts(store, find(trained, run), kind, top, user, run.window)


@app.command()
def subscribers(
    model: ModelOpt, start: FromOpt, end: ToOpt, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on subscribers whose features over the window the model finds fraud-like."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        table = subscriber_table(run.store, run.settings.data_dir, run.first, run.last)
        return alerts_from("subscriber", trained, table, "msisdn", run.window)

    _detect("subscriber", model, start, end, top, data_dir, user, find)


@app.command()
def messages(
    model: ModelOpt, start: FromOpt, end: ToOpt, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on messages in the window that the model reads as scams."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        table = message_table(run.engine, run.first, run.last)
        return alerts_from("message", trained, table, "message_id", run.window)

    _detect("message", model, start, end, top, data_dir, user, find)


@app.command()
def urls(
    model: ModelOpt, start: FromOpt, end: ToOpt, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on URLs sent in messages over the window: judged from the URL itself, and
    raised by every victim report that names its domain."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        with run.store.session() as session:
            named = session.scalars(select(VictimReportRow.scammer_url)).all()
        table = url_table(run.engine, run.first, run.last)
        reputation = Reputation(reported_domains(named))
        return alerts_from("url", trained, table, "url", run.window, reputation)

    _detect("url", model, start, end, top, data_dir, user, find)


@app.command()
def accounts(
    model: ModelOpt, start: FromOpt, end: ToOpt, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on accounts whose money flows over the window look like mules' or controllers'."""

    def find(trained: Trained, run: Run) -> list[Alert]:
        return account_alerts(trained, transfer_table(run.engine, run.first, run.last), run.window)

    _detect("account", model, start, end, top, data_dir, user, find)

"""``scamnet detect``: score the ingested data with a trained model and store alerts
(the use case is `scamnet.detect.usecase.detect`)."""

from __future__ import annotations

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
from scamnet.cli.features import parse_day
from scamnet.cli.output import Table
from scamnet.detect import usecase
from scamnet.detect.artifacts import UntrustedModel
from scamnet.detect.recording import Recorded, record_alerts
from scamnet.detect.registry import NoModel
from scamnet.engine.base import EngineUnavailable
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.alerts import Alert

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


def print_alerts(alerts: list[Alert], title: str) -> None:
    table = Table(title=title)
    for col in ("subject", "score", "label", "why"):
        table.add_column(col, overflow="fold")
    for a in alerts:
        table.add_row(a.subject, f"{a.score:.3f}", a.label, a.explanation)
    console.print(table)


def show_run(run: Recorded) -> None:
    """What a detection stored, and its strongest alerts."""
    console.print(f"{run.stored:,} {run.kind} alerts ({run.new:,} new) stored")
    print_alerts(run.shown, f"top {run.kind} alerts (suspected, pending review)")


def store_alerts(store: Store, alerts: list[Alert], kind: str, top: int, user: str,
                 window: str) -> None:  # fmt: skip
    """Record the run (alerts stored, run audited) and show the strongest alerts."""
    with store.session() as session:
        show_run(record_alerts(session, user, alerts, kind, window, top))


def subscriber_table(store: Store, data_dir: Path, first: date, last: date) -> pa.Table:
    """The subscriber feature table of the window, computed (incrementally) from the lake."""
    try:
        return usecase.subscriber_table(settings_for(data_dir), store, first, last)
    except EngineUnavailable as exc:
        raise fail(str(exc), 2) from None


def _detect(kind: str, model: Path | None, start: str, end: str, top: int,
            data_dir: Path | None, user: str) -> None:  # fmt: skip
    """Score the window with the kind's model, store the alerts and show them."""
    first, last = parse_day(start), parse_day(end)
    settings = settings_for(data_dir)
    store = _opened(settings)
    try:
        run = usecase.detect(settings, store, user, kind, first, last, model, top)
    except (UntrustedModel, NoModel, EngineUnavailable) as exc:
        raise fail(str(exc), 2) from None
    finally:
        store.dispose()
    show_run(run)


def _opened(settings: Settings) -> Store:
    store = open_store(settings)
    store.upgrade()
    return store


@app.command()
def subscribers(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on subscribers whose features over the window the model finds fraud-like."""
    _detect("subscriber", model, start, end, top, data_dir, user)


@app.command()
def messages(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on messages in the window that the model reads as scams."""
    _detect("message", model, start, end, top, data_dir, user)


@app.command()
def urls(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on URLs sent in messages over the window: judged from the URL itself, and
    raised by every victim report that names its domain."""
    _detect("url", model, start, end, top, data_dir, user)


@app.command()
def accounts(
    start: FromOpt, end: ToOpt, model: ModelOpt = None, top: TopOpt = 10,
    data_dir: DataDirOption = None, user: UserOption = DEFAULT_USER,
) -> None:  # fmt: skip
    """Alert on accounts whose money flows over the window look like mules' or controllers'."""
    _detect("account", model, start, end, top, data_dir, user)

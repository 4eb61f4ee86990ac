"""``scamnet ingest``: take files in, validate them, keep the rejects, summarise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    fail,
    open_store,
    record_sink,
    settings_for,
)
from scamnet.cli.output import Table
from scamnet.core.access import Permission as Need
from scamnet.ingest.kinds import KINDS
from scamnet.ingest.mapping import MappingError, load_mapping
from scamnet.ingest.pipeline import FileResult, Ingestor, IngestSummary, UnitOfWork
from scamnet.ingest.ports import AuditTrail, IngestLedger, RecordSink
from scamnet.lake.lock import WriterBusy
from scamnet.store import Store
from scamnet.store.records import StoreLedger
from scamnet.store.uow import SqlUnitOfWork

Kind = StrEnum("Kind", {k: k for k in KINDS})  # type: ignore[misc]


def print_summary(summary: IngestSummary) -> None:
    table = Table(title=f"ingest {summary.kind}")
    for col in ("file", "read", "stored", "already stored", "rejected"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for f in summary.files:
        if f.error:
            table.add_row(Path(f.path).name, "[red]cannot be read[/red]", "", "", "")
        elif f.skipped_same_content:
            table.add_row(Path(f.path).name, "[dim]same content already ingested[/dim]", "", "", "")
        else:
            table.add_row(Path(f.path).name, f"{f.read:,}", f"{f.stored:,}", f"{f.already:,}",
                          f"{f.n_rejected:,}")  # fmt: skip
    table.add_section()
    table.add_row("total", f"{summary.total('read'):,}", f"{summary.total('stored'):,}",
                  f"{summary.total('already'):,}",
                  f"{sum(summary.rejected.values()):,}")  # fmt: skip
    console.print(table)
    if summary.rejected:
        reasons = Table(title="rejected rows by reason (kept in the rejects store)")
        reasons.add_column("reason")
        reasons.add_column("rows", justify="right")
        for reason, n in summary.rejected.most_common():
            reasons.add_row(reason, f"{n:,}")
        console.print(reasons)
    for f in summary.failed:
        console.print(f"[red]error:[/red] {f.error}")


def print_totals(summary: IngestSummary) -> None:
    """One line for a kind: read, stored, already stored, rejected by reason."""
    rejected = summary.rejected
    top = ", ".join(f"{n:,} {reason}" for reason, n in rejected.most_common(3))
    more = f" (+{len(rejected) - 3} more reasons)" if len(rejected) > 3 else ""
    console.print(
        f"[bold]{summary.kind}[/bold]: {summary.total('read'):,} read, "
        f"{summary.total('stored'):,} stored, {summary.total('already'):,} already stored, "
        f"{sum(rejected.values()):,} rejected" + (f" — {top}{more}" if rejected else "")
    )
    for f in summary.failed:
        console.print(f"  [red]error:[/red] {f.error}")


def _units(store: Store) -> UnitOfWork:
    """Each file's unit of work: the ledger, the sink and the audit log of one session."""

    @contextmanager
    def unit() -> Iterator[tuple[IngestLedger, RecordSink, AuditTrail]]:
        with store.session() as session:
            yield StoreLedger(session), record_sink(session), SqlUnitOfWork(session).audit

    return unit


def run(
    kind: Annotated[Kind, typer.Argument(help="What the files hold.")],
    files: Annotated[list[Path], typer.Argument(help="CSV, Parquet or JSON Lines files.")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML column mapping (docs/ingest.md).")
    ] = None,
    data_dir: DataDirOption = None,
    user: UserOption = DEFAULT_USER,
) -> None:
    """Take files in: validate every row, store the good ones, keep the rejects with reasons.

    One ingest of a kind runs at a time per data directory; a second one waits for
    it (up to $SCAMNET_LOCK_WAIT_S seconds, default 600) and is then refused.
    """
    try:
        mapped = load_mapping(mapping)
        settings = settings_for(data_dir, create=True)
    except (MappingError, ValueError) as exc:
        raise fail(str(exc), 2) from None
    actor = actor_for(settings, user, None, Need.DATA_INGEST)
    ingestor = Ingestor(settings.data_dir, settings=settings)
    store = open_store(settings)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    try:
        store.upgrade()
        with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
            task = bar.add_task(f"ingest {kind.value}", total=len(files))

            def done(result: FileResult) -> None:
                bar.update(task, description=f"{kind.value}: {Path(result.path).name}")
                bar.advance(task)

            summary = ingestor.ingest_files(kind.value, files, mapped, _units(store),
                                            actor.user, done)  # fmt: skip
    except WriterBusy as exc:
        raise fail(str(exc)) from None
    finally:
        ingestor.close()
        store.dispose()
    print_summary(summary)
    if summary.failed:
        raise typer.Exit(1)

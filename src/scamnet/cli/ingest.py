"""``scamnet ingest``: take files in, validate them, keep the rejects, summarise; and
``scamnet ingest rejects``: the refused rows with their reasons, as a table, JSON or CSV."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    fail,
    open_store,
    settings_for,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.cli.progress import step
from scamnet.core.access import Permission as Need
from scamnet.ingest.kinds import KINDS
from scamnet.ingest.mapping import MappingError, load_mapping
from scamnet.ingest.pipeline import FileResult, IngestSummary
from scamnet.ingest.rejects import list_rejects, write_csv
from scamnet.ingest.usecase import ingest, summary_json
from scamnet.lake.lock import WriterBusy
from scamnet.store.uow import SqlUnitOfWork

Kind = StrEnum("Kind", {k: k for k in KINDS})  # type: ignore[misc]


class IngestGroup(TyperGroup):
    """``scamnet ingest KIND FILE...`` as before, beside ``scamnet ingest rejects``: a
    first word that is not a subcommand is the kind of the files to take in."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[Any, Any, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return FILES, self.commands[FILES], args
        return super().resolve_command(ctx, args)


FILES = "files"
app = typer.Typer(
    cls=IngestGroup,
    no_args_is_help=True,
    subcommand_metavar="KIND FILE... | rejects",
    help="Take files in: validate every row, store the good ones, keep the rejects with "
    "reasons.\n\n`scamnet ingest KIND FILE... [--mapping M.yaml]` takes files in (KIND: "
    + ", ".join(sorted(KINDS))
    + "); `scamnet ingest rejects` lists the refused rows.",
)


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


@app.command(FILES, hidden=True)
def run(
    kind: Annotated[Kind, typer.Argument(help="What the files hold.")],
    files: Annotated[list[Path], typer.Argument(help="CSV, Parquet or JSON Lines files.")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML column mapping (docs/ingest.md).")
    ] = None,
    data_dir: DataDirOption = None,
    user: UserOption = DEFAULT_USER,
    as_json: JsonOption = False,
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
    store = open_store(settings)
    try:
        store.upgrade()
        with step(f"ingest {kind.value}", total=len(files)) as advance:

            def done(result: FileResult) -> None:
                advance(description=f"{kind.value}: {Path(result.path).name}")

            summary = ingest(settings, store, actor, kind.value, files, mapped, done,
                             f"ingest:{DEFAULT_USER}")  # fmt: skip
    except WriterBusy as exc:
        raise fail(str(exc)) from None
    finally:
        store.dispose()
    if as_json:  # the shape the API's ingest job gives as its result
        print_json(summary_json(summary))
    else:
        print_summary(summary)
    if summary.failed:
        raise typer.Exit(1)


@app.command("rejects")
def rejects(
    kind: Annotated[Kind | None, typer.Option("--kind", help="Only rows of this kind.")] = None,
    file: Annotated[
        str | None,
        typer.Option("--file", help="Only rows from this file (its path as ingested, or name)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write the rows to this CSV file (formula-looking cells quoted)."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=0, help="Rows shown in the table (0: counts only).")
    ] = 50,
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Rows refused at ingestion: the counts by reason and the rows, with file and line
    (an audited read: the rows are what the sources held)."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, None, Need.DATA_INGEST)
        found = list_rejects(settings.rejects_dir, SqlUnitOfWork(session).audit, actor.user,
                             kind.value if kind else None, file)  # fmt: skip
    if out is not None:
        try:
            write_csv(found, out)
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc.strerror or exc}", 2) from None
    if as_json:
        reasons = [{"kind": k, "reason": r, "rows": n} for k, r, n in found.by_reason]
        print_json({"total": found.total, "by_reason": reasons, "rows": found.rows})
        return
    if out is not None:
        console.print(f"{_rows(found.total)} → {escape(str(out))}", soft_wrap=True)
    if not found.total:
        console.print("no rejected rows" + (f" of {kind.value}" if kind else "")
                      + (f" from {escape(file)}" if file else ""), soft_wrap=True)  # fmt: skip
        return
    counts = Table("kind", "reason", "rows", title=f"{_rows(found.total)} by reason")
    for k, reason, n in found.by_reason:
        counts.add_row(k, reason, f"{n:,}")
    console.print(counts)
    if limit:
        shown = min(limit, found.total)
        table = Table("kind", "file", "line", "reason", "row",
                      title=f"the first {shown:,} of {found.total:,}")  # fmt: skip
        for r in found.rows[:limit]:
            table.add_row(r["kind"], Path(r["file"]).name, str(r["line"]), escape(r["reason"]),
                          escape(r["row"]))  # fmt: skip
        console.print(table)


def _rows(n: int) -> str:
    return f"{n:,} rejected row{'' if n == 1 else 's'}"

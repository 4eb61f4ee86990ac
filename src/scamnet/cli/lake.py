"""``scamnet lake check [--repair]``: is the record lake whole, and clean it if not;
``scamnet lake export``: a window of stored calls or transfers as CSV or Parquet."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    fail,
    settings_for,
    unit_of_work,
)
from scamnet.cli.interop import HandlingOption, parse_ceiling
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Permission as Need
from scamnet.lake import RecordLake
from scamnet.lake.check import check_all
from scamnet.lake.lock import WriterBusy

app = typer.Typer(help="The record lake: check it, and repair what an interrupted ingest left.",
                  no_args_is_help=True)  # fmt: skip


@app.command("check")
def check_cmd(
    repair: Annotated[
        bool, typer.Option("--repair", help="Delete leftovers, adopt files from before commits.")
    ] = False,
    data_dir: DataDirOption = None,
    json_out: JsonOption = False,
) -> None:
    """Report each kind's committed files, rows, leftovers of interrupted ingests and damage.

    Exits 1 when something needs attention (after --repair: when something could
    not be repaired, such as a committed file that is damaged).
    """
    settings = settings_for(data_dir)
    try:
        report = check_all(RecordLake(settings.lake_dir), settings.tmp_dir, repair)
    except WriterBusy as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    unresolved = any(k.damaged or k.error for k in report.kinds)
    failed = unresolved or (not repair and not report.clean)
    if json_out:
        print_json(report)
        raise typer.Exit(1 if failed else 0)
    table = Table(title="lake check" + (" --repair" if repair else ""))
    for col in ("kind", "version", "files", "rows", "leftovers", "damaged", "state"):
        table.add_column(col, justify="left" if col in ("kind", "state") else "right")
    advice: list[str] = []
    for k in report.kinds:
        if k.error:
            state = "unreadable log"
            advice.append(f"{k.kind}: {k.error}")
        elif k.damaged:
            state = "damaged"
            advice.append(f"{k.kind}: committed files are damaged; re-ingest their source files")
        elif k.legacy:
            state = "legacy"
            advice.append(f"{k.kind}: {k.legacy} files from before commit records; run "
                          "`scamnet lake check --repair` to adopt them")  # fmt: skip
        elif k.leftovers:
            state = "leftovers"
            advice.append(
                f"{k.kind}: leftovers of an interrupted ingest; run "
                "`scamnet lake check --repair` (the next ingest also removes them)"
            )
        else:
            state = "repaired" if k.repaired else "ok"
        table.add_row(k.kind, str(k.version), f"{k.files:,}", f"{k.rows:,}",
                      str(len(k.leftovers)), str(len(k.damaged)), state)  # fmt: skip
    console.print(table)
    # Advice and paths go on lines of their own: the table may be narrow, lines never wrap.
    for line in advice:
        console.print(line, markup=False)
    for k in report.kinds:
        for path in [*k.leftovers, *k.damaged]:
            console.print(f"  {k.kind}: {path}", markup=False)
    if report.workdirs:
        verb = "removed" if repair else "left by killed ingests (run --repair)"
        console.print(f"scratch directories {verb}: {', '.join(report.workdirs)}")
    if failed:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    kind: Annotated[str, typer.Option("--kind", help="calls or transfers.")],
    start: Annotated[str, typer.Option("--from", help="First day (ISO date, UTC).")],
    end: Annotated[str, typer.Option("--to", help="Last day, included (ISO date, UTC).")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    handling: HandlingOption = "H1",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The stored calls or transfers of a window, as CSV or Parquet (an audited export)."""
    from scamnet.interop.listing import ExportedKind, RecordFormat, export_records

    ceiling = parse_ceiling(handling)
    try:
        record_kind, record_format = ExportedKind(kind), RecordFormat(fmt)
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise fail(f"{exc}: --kind calls|transfers, --format csv|parquet, ISO dates", 2) from None
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.GROUPS_EXPORT)
        done = export_records(session, settings, actor, record_kind, first, last,
                              record_format, out, ceiling)  # fmt: skip
    console.print(f"wrote {out}: {done.rows:,} {kind}", markup=False)

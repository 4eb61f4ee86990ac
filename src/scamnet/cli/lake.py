"""``scamnet lake check [--repair]``: is the record lake whole, and clean it if not."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import DataDirOption, console, settings_for
from scamnet.cli.output import JsonOption, Table, print_json
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

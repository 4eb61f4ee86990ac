"""``scamnet report``: statistics from the case records, and the public bulletins."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from scamnet.cases import publications
from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    casework,
    console,
    fail,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, plain, print_json
from scamnet.core.access import Permission as Need
from scamnet.report.bulletin import Lang, compose
from scamnet.report.press import load_press, read_press
from scamnet.report.statistics import Period, breakdown, totals

app = typer.Typer(help="Statistics and bulletins, always computed from the records.")


def parse_when(text: str | None) -> datetime:
    """An ISO date or date-time; a naive one is read as UTC. None means now."""
    if text is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"not an ISO date or date-time: {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@app.command("stats")
def stats(
    by: Annotated[Period, typer.Option(help="How to break the figures down.")] = Period.DAY,
    as_of: Annotated[str | None, typer.Option(help="Count up to this date (ISO).")] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Persons transferred, key figures and fugitives, per period, agency or crossing."""
    day = parse_when(as_of).date() if as_of else None
    with unit_of_work(data_dir) as (_settings, session):
        rows = breakdown(session, by, day)
        t = totals(session, day)
    if as_json:
        print_json({"by": by.value, "rows": rows, "totals": t})
        return
    table = Table(by.value, "persons", "key figures", "fugitives", "cumulative")
    for r in rows:
        table.add_row(
            r.key, f"{r.persons:,}", f"{r.key_figures:,}", f"{r.fugitives:,}", f"{r.cumulative:,}"
        )
    table.add_section()
    table.add_row("total", f"{t.persons:,}", f"{t.key_figures:,}", f"{t.fugitives:,}", "")
    console.print(table)
    if t.operations:
        console.print(
            f"operations {t.operations}: {t.sites_closed} sites closed, "
            f"{t.persons_arrested} persons arrested"
        )
    if t.warned:
        console.print(
            f"dissuasion: {t.warned} people warned in time, {t.money_stopped} payments stopped, "
            f"{t.prevented:,} prevented"
        )


@app.command("bulletin")
def bulletin(
    lang: Annotated[Lang, typer.Option(help="Language of the bulletin.")] = Lang.FR,
    as_of: Annotated[
        str | None, typer.Option(help="Date-time of the update (ISO; default now).")
    ] = None,
    tz: Annotated[str, typer.Option(help="Time zone the update time is shown in.")] = (
        "Asia/Shanghai"
    ),
    out: Annotated[
        Path | None, typer.Option(help="Directory for bulletin-LANG.md and .html.")
    ] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Write the public bulletin: aggregate figures and approved names only."""
    when = parse_when(as_of)
    with casework(data_dir) as (_settings, uow):
        b = compose(totals(uow.session, when.date()), when, lang, publications.approved(uow), tz)
    if as_json:
        print_json({**plain(b), "markdown": b.markdown()})
        return
    if out is None:
        typer.echo(b.markdown())
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / f"bulletin-{lang.value}.md").write_text(b.markdown(), encoding="utf-8")
    (out / f"bulletin-{lang.value}.html").write_text(b.html(), encoding="utf-8")
    console.print(f"wrote {out / f'bulletin-{lang.value}.md'} and .html")


@app.command("approve")
def approve(
    person: Annotated[int, typer.Argument(help="Person id.")],
    text: Annotated[str, typer.Option(help="What may be printed, saying 'suspected'.")],
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Approve a person's name for publication (supervisors only)."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, None, Need.BULLETIN_APPROVE)
        publications.approve(uow, actor, person, text)
    console.print(f"person {person} may be named as: {text}")


@app.command("press")
def press(
    csv_file: Annotated[Path, typer.Argument(help="Published figures CSV.", exists=True)],
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Load published handover figures as batches, to check statistics against them."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.HANDOVERS_WRITE)
        batches = read_press(csv_file)
        written = load_press(uow, actor, batches)
    console.print(f"{len(batches)} batches, {written:,} entries written")

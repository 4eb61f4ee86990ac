"""``scamnet alerts``: the analyst's triage queue."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Permission as Need
from scamnet.core.alerts import AlertVerdict
from scamnet.detect import triage
from scamnet.store.alerts import AlertQuery

app = typer.Typer(help="Alert triage: list, show, assign, and give a verdict.")


def _status(verdict: str | None) -> str:
    return AlertVerdict(verdict).label if verdict else "open"


@app.command("list")
def list_alerts(
    kind: Annotated[str | None, typer.Option(help="subscriber, message, url or account.")] = None,
    min_score: Annotated[
        float | None, typer.Option(help="Only alerts scoring this or more.")
    ] = None,
    window: Annotated[str | None, typer.Option(help="The detection window, FROM/TO.")] = None,
    status: Annotated[
        str | None, typer.Option(help="open, confirmed, false_positive or needs_review.")
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="Only alerts assigned to this user.")] = None,
    group: Annotated[int | None, typer.Option(help="Only alerts on members of this group.")] = None,
    sort: Annotated[str, typer.Option(help="score, created or id.")] = "score",
    ascending: Annotated[bool, typer.Option("--ascending", help="Lowest first.")] = False,
    limit: Annotated[int, typer.Option(help="Alerts per page.")] = 50,
    offset: Annotated[int, typer.Option(help="Alerts skipped (the page's start).")] = 0,
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The queue, highest score first: each alert's subject, score, label and status."""
    if sort not in ("score", "created", "id"):
        raise typer.BadParameter("one of score, created, id", param_hint="--sort")
    query = AlertQuery(kind, min_score, window, status.replace("-", "_") if status else None,
                       assignee, group, sort, not ascending, limit, offset)  # fmt: skip
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.ALERTS_READ)
        page = triage.list_alerts(session, actor, query)
    if as_json:
        print_json(page)
        return
    table = Table("id", "kind", "subject", "score", "label", "status", "assignee", "window",
                  title=f"{page.total:,} alerts; showing {offset + 1:,}–"
                        f"{offset + len(page.alerts):,}")  # fmt: skip
    for a in page.alerts:
        table.add_row(str(a.id), a.kind, a.subject, f"{a.score:.3f}", a.label,
                      _status(a.verdict), a.assignee or "", a.window)  # fmt: skip
    console.print(table)


@app.command("show")
def show(
    alert: Annotated[int, typer.Argument(help="Alert id.")],
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """One alert: the reasons in words, the persons and groups around it, the verdicts."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.ALERTS_READ)
        file = triage.show_alert(session, actor, alert)
    if as_json:
        print_json(file)
        return
    a = file.alert
    console.print(f"[bold]alert {a.id}[/bold]: {a.kind} {a.subject}, score {a.score:.3f}, "
                  f"{a.label} ({a.model}, window {a.window}); {_status(a.verdict)}"
                  + (f", assigned to {a.assignee}" if a.assignee else ""))  # fmt: skip
    console.print(f"why: {a.explanation}")
    if file.identifier:
        console.print(f"identifier: {file.identifier}")
    for pid, names in file.persons:
        console.print(f"used by person {pid}: {names}")
    for gid, name, role, score in file.groups:
        console.print(f"in group {gid} ({name}) as suspected {role} ({score:.2f})")
    for v in file.verdicts:
        console.print(f"verdict {AlertVerdict(v.verdict).label} by {v.author} ({v.agency}) "
                      f"at {v.at:%Y-%m-%d %H:%M %Z}: {v.note}")  # fmt: skip


@app.command("assign")
def assign(
    alert: Annotated[int, typer.Argument(help="Alert id.")],
    assignee: Annotated[str, typer.Argument(help="The analyst's user name ('-' to unassign).")],
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Assign an alert to an analyst."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.ALERTS_TRIAGE)
        view = triage.assign(session, actor, alert,
                             None if assignee == "-" else assignee)  # fmt: skip
    console.print(f"alert {view.id} assigned to {view.assignee or 'nobody'}")


@app.command("verdict")
def verdict(
    alert: Annotated[int, typer.Argument(help="Alert id.")],
    decision: Annotated[str, typer.Argument(help="confirmed, false-positive or needs-review.")],
    note: Annotated[str, typer.Option(help="Why (kept with the verdict).")] = "",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Record a verdict: a false positive stops seeding the network; verdicts train models."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.ALERTS_TRIAGE)
        view = triage.give_verdict(session, actor, alert,
                                   AlertVerdict.parse(decision), note)  # fmt: skip
    console.print(f"alert {view.id}: {_status(view.verdict)}")

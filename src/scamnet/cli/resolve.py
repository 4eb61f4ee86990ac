"""``scamnet resolve``: who is who across agencies, sources and scripts."""

from __future__ import annotations

from collections import Counter
from datetime import date
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
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Permission as Need
from scamnet.resolve import service

app = typer.Typer(help="Entity resolution of persons (Splink on DuckDB or Spark).")


@app.command("persons")
def persons(
    user: UserOption = DEFAULT_USER, agency: AgencyOption = None, data_dir: DataDirOption = None
) -> None:
    """Resolve every person record, warrant and manifest line into persons (stable ids)."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.PERSONS_JUDGE)
        summary = service.resolve_persons(session, settings, actor)
    table = Table("resolved persons", "count", title=f"{len(summary.records):,} records resolved")
    for key, n in summary.sources().most_common():
        table.add_row(f"from {key}", f"{n:,}")
    console.print(table)
    c, sizes = summary.result.changes, Counter(summary.result.clusters.values())
    console.print(
        f"{c['clusters']:,} persons ({sum(1 for s in sizes.values() if s > 1):,} with "
        f"several records); ids kept {c['kept']:,}, new {c['new']:,}, gone {c['gone']:,}; "
        f"{summary.judgements} analysts' judgements applied"
    )


@app.command("judge")
def judge(
    uid_a: Annotated[str, typer.Argument(help="A record uid, e.g. warrant:W00001.")],
    uid_b: Annotated[str, typer.Argument(help="Another record uid.")],
    verdict: Annotated[str, typer.Argument(help="same or not-same")],
    note: Annotated[str, typer.Option(help="Why.")] = "",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Record that two records are (or are not) the same person; it overrides the model."""
    if verdict not in ("same", "not-same"):
        raise fail("the verdict is 'same' or 'not-same'")
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.PERSONS_JUDGE)
        service.judge(session, actor, uid_a, uid_b, verdict == "same", note)
    console.print(f"{uid_a} and {uid_b}: {verdict} (applies from the next `resolve persons`)")


@app.command("match")
def match(
    name: Annotated[str, typer.Option(help="The name, in any script.")],
    dob: Annotated[str | None, typer.Option(help="Birth date (ISO).")] = None,
    phone: Annotated[str | None, typer.Option(help="A phone number (E.164).")] = None,
    document: Annotated[str | None, typer.Option(help="Resident ID or passport number.")] = None,
    limit: Annotated[int, typer.Option(help="How many candidates.")] = 5,
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Query by example: candidates with match probability and reasons (an audited search)."""
    try:
        born = date.fromisoformat(dob) if dob else None
    except ValueError:
        raise fail(f"not an ISO date: {dob!r}") from None
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.PERSONS_READ)
        found = service.search(session, settings, actor, name, born, phone, document, limit)
    if as_json:
        print_json(found)
        return
    table = Table("person", "record", "name", "born", "p", "reasons")
    for c in found:
        table.add_row(c.person, c.record.uid, c.record.name, str(c.record.birth_date or ""),
                      f"{c.probability:.3f}", "; ".join(c.reasons))  # fmt: skip
    console.print(table if found else "no candidates")


@app.command("show")
def show(
    person: Annotated[str, typer.Argument(help="A resolved person id, e.g. RP-000042.")],
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The records resolved into one person (an audited access)."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency, Need.PERSONS_READ)
        records = service.read_person(session, actor, person)
    if as_json:
        print_json({"person": person, "records": records})
        return
    table = Table("record", "name", "born", "document", "phone", title=person)
    for r in records:
        table.add_row(r.uid, r.name, str(r.birth_date or ""), r.id_number or r.passport or "",
                      r.phone or "")  # fmt: skip
    console.print(table)

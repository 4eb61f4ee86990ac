"""``scamnet resolve``: who is who across agencies, sources and scripts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from scamnet.cli.context import DEFAULT_USER, DataDirOption, UserOption, console, fail, unit_of_work
from scamnet.cli.engines import engine_for
from scamnet.resolve import model as er_model
from scamnet.resolve.records import SourceRecord, record_table
from scamnet.resolve.run import resolve
from scamnet.store.audit import AuditLog
from scamnet.store.resolution import ResolutionRepository, source_records

app = typer.Typer(help="Entity resolution of persons (Splink on DuckDB or Spark).")


@app.command("persons")
def persons(user: UserOption = DEFAULT_USER, data_dir: DataDirOption = None) -> None:
    """Resolve every person record, warrant and manifest line into persons (stable ids)."""
    with unit_of_work(data_dir) as (settings, session):
        records = source_records(session)
        if len(records) < 2:
            raise fail("fewer than two person records: ingest persons, wanted or handovers first")
        repo = ResolutionRepository(session)
        same, apart = repo.judgements()
        with engine_for(settings) as engine:
            result = resolve(records, repo.clusters(), same, apart, engine=engine)
        repo.replace_clusters(result.clusters, user)
        er_model.save(result.model, settings.data_dir / "models" / "er" / "model.json")
    sizes = Counter(result.clusters.values())
    sources: Counter[str] = Counter()
    by_cluster: dict[str, set[str]] = {}
    for uid, cid in result.clusters.items():
        by_cluster.setdefault(cid, set()).add(uid.split(":")[0])
    for kinds in by_cluster.values():
        sources[" + ".join(sorted(kinds))] += 1
    table = Table("resolved persons", "count", title=f"{len(records):,} records resolved")
    for key, n in sorted(sources.items(), key=lambda kv: -kv[1]):
        table.add_row(f"from {key}", f"{n:,}")
    console.print(table)
    c = result.changes
    console.print(
        f"{c['clusters']:,} persons ({sum(1 for s in sizes.values() if s > 1):,} with "
        f"several records); ids kept {c['kept']:,}, new {c['new']:,}, gone {c['gone']:,}; "
        f"{len(same) + len(apart)} analysts' judgements applied"
    )


@app.command("judge")
def judge(
    uid_a: Annotated[str, typer.Argument(help="A record uid, e.g. warrant:W00001.")],
    uid_b: Annotated[str, typer.Argument(help="Another record uid.")],
    verdict: Annotated[str, typer.Argument(help="same or not-same")],
    note: Annotated[str, typer.Option(help="Why.")] = "",
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Record that two records are (or are not) the same person; it overrides the model."""
    if verdict not in ("same", "not-same"):
        raise fail("the verdict is 'same' or 'not-same'")
    with unit_of_work(data_dir) as (_settings, session):
        ResolutionRepository(session).judge(uid_a, uid_b, verdict == "same", user, note)
    console.print(f"{uid_a} and {uid_b}: {verdict} (applies from the next `resolve persons`)")


@app.command("match")
def match(
    name: Annotated[str, typer.Option(help="The name, in any script.")],
    dob: Annotated[str | None, typer.Option(help="Birth date (ISO).")] = None,
    phone: Annotated[str | None, typer.Option(help="A phone number (E.164).")] = None,
    document: Annotated[str | None, typer.Option(help="Resident ID or passport number.")] = None,
    limit: Annotated[int, typer.Option(help="How many candidates.")] = 5,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Query by example: candidates with match probability and reasons (an audited search)."""
    try:
        born = date.fromisoformat(dob) if dob else None
    except ValueError:
        raise fail(f"not an ISO date: {dob!r}") from None
    with unit_of_work(data_dir) as (settings, session):
        path = settings.data_dir / "models" / "er" / "model.json"
        if not path.exists():
            raise fail("no resolution model yet: run `scamnet resolve persons` first")
        doc = document or None
        query = SourceRecord(
            "query:1",
            "query",
            name,
            born,
            doc if doc and len(doc) == 18 else None,
            doc if doc and len(doc) != 18 else None,
            phone,
        )
        clusters = ResolutionRepository(session).clusters()
        records = {r.uid: r for r in source_records(session)}
        with engine_for(settings) as engine:
            found = er_model.match(er_model.load(path), record_table(list(records.values())),
                                   record_table([query]), limit, engine=engine)  # fmt: skip
        AuditLog(session).append(
            user,
            "resolve.match",
            name,
            {"dob": dob, "phone": phone, "document": document, "results": len(found)},
        )
    table = Table("person", "record", "name", "born", "p", "reasons")
    for p in found:
        r = records[p.uid_r]
        table.add_row(
            clusters.get(p.uid_r, "?"),
            p.uid_r,
            r.name,
            str(r.birth_date or ""),
            f"{p.probability:.3f}",
            "; ".join(p.reasons),
        )
    console.print(table if found else "no candidates")


@app.command("show")
def show(
    person: Annotated[str, typer.Argument(help="A resolved person id, e.g. RP-000042.")],
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """The records resolved into one person (an audited access)."""
    with unit_of_work(data_dir) as (_settings, session):
        uids = ResolutionRepository(session).members(person)
        if not uids:
            raise fail(f"no resolved person {person!r}")
        records = {r.uid: r for r in source_records(session)}
        AuditLog(session).append(user, "resolve.show", person, {})
    table = Table("record", "name", "born", "document", "phone", title=person)
    for uid in uids:
        r = records.get(uid)
        if r:
            table.add_row(
                uid, r.name, str(r.birth_date or ""), r.id_number or r.passport or "", r.phone or ""
            )
    console.print(table)

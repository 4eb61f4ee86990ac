"""``scamnet handover``: batches at the border, matched to known persons, with custody."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scamnet.cases.manifest import read_manifest
from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    unit_of_work,
)
from scamnet.core.cases import CustodyEvent, TransferStatus
from scamnet.store.audit import AuditLog
from scamnet.store.handovers import HandoverRepository
from scamnet.store.known import load_known
from scamnet.store.transfers import TransferRepository

app = typer.Typer(help="Handover batches: import a manifest, record custody, show a batch.")


@app.command("import")
def import_manifest(
    manifest: Annotated[
        Path,
        typer.Argument(
            help="Manifest CSV: batch_id,date,crossing,"
            "from_agency,to_agency,seq,name[,birth_date,"
            "document,nationality,role]",
            exists=True,
        ),
    ],
    request: Annotated[str | None, typer.Option(help="The transfer request it executes.")] = None,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import a manifest: each person is matched to known persons and open warrants."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, agency)
        parsed = read_manifest(manifest, request)
        repo, index = HandoverRepository(session), load_known(session)
        table = Table("batch", "persons", "known", "new", "fugitives", "suspects moved")
        for header, lines in parsed.batches:
            r = repo.import_batch(header, lines, actor, index)
            table.add_row(
                r.batch_id,
                str(r.entries),
                str(r.matched_persons),
                str(r.new_persons),
                str(r.fugitives),
                str(r.suspects_moved),
            )
            if request:
                TransferRepository(session).change(
                    request, TransferStatus.EXECUTED, actor, f"handover batch {header.batch_id}"
                )
    console.print(table)


@app.command("custody")
def custody(
    batch: Annotated[str, typer.Argument(help="Batch id.")],
    seq: Annotated[int, typer.Argument(help="Line on the manifest.")],
    event: Annotated[CustodyEvent, typer.Argument(help="The custody step.")],
    detail: Annotated[str, typer.Option(help="E.g. the bureau a person is transferred to.")] = "",
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Record a custody step; steps go in order, each once."""
    with unit_of_work(data_dir) as (settings, session):
        HandoverRepository(session).record_custody(
            batch, seq, event, actor_for(settings, user, agency), detail
        )
    console.print(f"{batch} line {seq}: {event.value} recorded")


@app.command("list")
def list_batches(data_dir: DataDirOption = None) -> None:
    """Every batch with its size."""
    with unit_of_work(data_dir) as (_settings, session):
        repo = HandoverRepository(session)
        table = Table("batch", "date", "crossing", "from", "to", "persons", "source")
        for b in repo.batches():
            table.add_row(
                b.batch_id,
                str(b.date),
                b.crossing,
                b.from_agency,
                b.to_agency,
                f"{len(repo.entries(b.batch_id)):,}",
                b.source,
            )
    console.print(table)


@app.command("show")
def show(
    batch: Annotated[str, typer.Argument(help="Batch id.")],
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """A batch's manifest with each person's match evidence and custody (an audited access)."""
    with unit_of_work(data_dir) as (_settings, session):
        repo = HandoverRepository(session)
        AuditLog(session).append(user, "handover.read", batch, {})
        table = Table("#", "name", "born", "person", "fugitive", "custody", "match evidence")
        for e in repo.entries(batch):
            evidence = "; ".join(json.loads(e.match_evidence or "[]"))
            steps = ", ".join(c.value for c in repo.custody(e.id))
            table.add_row(
                str(e.seq),
                e.name,
                str(e.birth_date or ""),
                str(e.person_id or ""),
                "yes" if e.fugitive else "",
                steps,
                evidence,
            )
    console.print(table)

"""``scamnet handover``: batches at the border, matched to known persons, with custody."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scamnet.cases import handovers
from scamnet.cases.manifest import read_manifest
from scamnet.cli.context import (
    DEFAULT_USER,
    AgencyOption,
    DataDirOption,
    UserOption,
    actor_for,
    casework,
    console,
)
from scamnet.cli.output import JsonOption, Table, plain, print_json
from scamnet.core.access import Permission as Need
from scamnet.core.cases import CustodyEvent

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
    """Import a manifest: each person is matched to known persons and open warrants.

    The same batch sent again is reported as already stored; other lines under a
    known batch id are refused with the conflict shown.
    """
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.HANDOVERS_WRITE)
        parsed = read_manifest(manifest, request)
        results = handovers.import_batches(uow, actor, parsed.batches)
    table = Table("batch", "persons", "already stored", "known", "new", "fugitives",
                  "suspects moved")  # fmt: skip
    for r in results:
        table.add_row(r.batch_id, str(r.entries), str(r.already_stored), str(r.matched_persons),
                      str(r.new_persons), str(r.fugitives), str(r.suspects_moved))  # fmt: skip
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
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.HANDOVERS_WRITE)
        handovers.record_custody(uow, actor, batch, seq, event, detail)
    console.print(f"{batch} line {seq}: {event.value} recorded")


@app.command("list")
def list_batches(
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Every batch with its size. (those of the agencies you may read)."""
    with casework(data_dir) as (settings, uow):
        found = handovers.list_batches(uow, actor_for(settings, user, agency, Need.HANDOVERS_READ))
    if as_json:
        print_json([{"batch": b, "persons": size} for b, size in found])
        return
    table = Table("batch", "date", "crossing", "from", "to", "persons", "source")
    for b, size in found:
        table.add_row(b.batch_id, str(b.date), b.crossing, b.from_agency, b.to_agency,
                      f"{size:,}", b.source)  # fmt: skip
    console.print(table)


@app.command("show")
def show(
    batch: Annotated[str, typer.Argument(help="Batch id.")],
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A batch's manifest with each person's match evidence and custody (an audited access)."""
    with casework(data_dir) as (settings, uow):
        actor = actor_for(settings, user, agency, Need.HANDOVERS_READ)
        view = handovers.read_batch(uow, actor, batch)
    if as_json:
        entries = [{**plain(e), "custody": steps} for e, steps in view.entries]
        print_json({"header": view.header, "entries": entries})
        return
    table = Table("#", "name", "born", "person", "fugitive", "custody", "match evidence")
    for e, steps in view.entries:
        table.add_row(str(e.seq), e.name, str(e.birth_date or ""), str(e.person_id or ""),
                      "yes" if e.fugitive else "", ", ".join(steps),
                      "; ".join(e.evidence))  # fmt: skip
    console.print(table)

"""``scamnet audit``: prove the audit chain, and pin its head with a signed checkpoint."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    actor_for,
    console,
    fail,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, plain, print_json
from scamnet.core.access import Permission as Need
from scamnet.exchange.anchor import BadCheckpoint, verify_audit, write_checkpoint
from scamnet.exchange.keys import load_instance

app = typer.Typer(help="The audit log: who did and read what; verify the chain, sign checkpoints.")


@app.command("verify")
def verify(as_json: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """Walk the chain and check it against the signed checkpoints; name the first broken link."""
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        try:
            report, anchors = verify_audit(session, me, settings.audit_checkpoints_path)
        except BadCheckpoint as exc:
            raise fail(str(exc)) from None
    if as_json:  # the report either way; the exit code says whether the chain holds
        print_json({**plain(report), "holds": report.ok, "checkpoints": anchors})
        if not report.ok:
            raise typer.Exit(1)
        return
    if not report.ok:
        raise fail(f"audit chain broken at entry {report.broken_at}: {report.reason}")
    console.print(
        f"audit chain holds: {report.count} entries, head {report.head_hash[:16]}…, "
        f"consistent with {anchors} signed checkpoints"
    )


@app.command("checkpoint")
def checkpoint(data_dir: DataDirOption = None) -> None:
    """Sign the chain's current head with the instance key and append it outside the database."""
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        try:
            head = write_checkpoint(session, me, settings.audit_checkpoints_path)
        except ValueError as exc:
            raise fail(str(exc)) from None
    console.print(
        f"checkpoint: {head.count} entries up to entry {head.head_id}, "
        f"written to {settings.audit_checkpoints_path}"
    )


@app.command("log")
def log(
    user: Annotated[
        str | None, typer.Option("--user", help="Only what this user did.", show_default=False)
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(
            help="Only entries about this subject (person:ID, a case, group:ID, …).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="Newest entries shown.", min=1, max=1000)] = 100,
    as_json: JsonOption = False,
    acting: Annotated[
        str,
        typer.Option("--as", envvar="SCAMNET_USER", help="Who asks (here --user filters the log)."),
    ] = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Who did what, newest first: "who looked at this person?" (itself an audited read)."""
    from scamnet.security.audit import search

    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, acting, None, Need.AUDIT_READ)
        found = search(session, actor, user, subject, limit)
    if as_json:
        print_json(found)
        return
    table = Table("at", "user", "action", "subject", "why")
    for e in found:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.action, e.subject,
                      str(e.detail.get("why") or ""))  # fmt: skip
    console.print(table)

"""``scamnet audit``: prove the audit chain, and pin its head with a signed checkpoint."""

from __future__ import annotations

import typer

from scamnet.cli.context import DataDirOption, console, fail, unit_of_work
from scamnet.exchange.anchor import BadCheckpoint, verify_audit, write_checkpoint
from scamnet.exchange.keys import load_instance

app = typer.Typer(help="The audit chain: verify it, and sign checkpoints of its head.")


@app.command("verify")
def verify(data_dir: DataDirOption = None) -> None:
    """Walk the chain and check it against the signed checkpoints; name the first broken link."""
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        try:
            report, anchors = verify_audit(session, me, settings.audit_checkpoints_path)
        except BadCheckpoint as exc:
            raise fail(str(exc)) from None
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

"""``scamnet exchange``: this instance's key, partners' keys, and signed bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scamnet.cases.manifest import read_manifest
from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    fail,
    open_store,
    settings_for,
    unit_of_work,
)
from scamnet.cli.output import JsonOption, Table, print_json
from scamnet.core.access import Actor
from scamnet.core.access import Permission as Need
from scamnet.core.cases import TransferStatus
from scamnet.exchange import partners, sending
from scamnet.exchange.delivery import hand_over_as_file
from scamnet.exchange.keys import init_instance, load_instance
from scamnet.exchange.service import receive
from scamnet.exchange.transport import read_bundle
from scamnet.settings import Settings
from scamnet.store.exchange import BundleLedger, ledger_digest
from scamnet.store.uow import SqlUnitOfWork

app = typer.Typer(help="Signed exchange with partner agencies' instances (files or HTTP).")

OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write the bundle to this file or directory.")
]
UrlOption = Annotated[
    str | None, typer.Option("--url", help="POST the bundle to the partner's instance.")
]


@app.command("init")
def init(
    agency: Annotated[str, typer.Option("--agency", help="The agency this instance serves.")],
    data_dir: DataDirOption = None,
) -> None:
    """Create this instance's Ed25519 key (once) and print the public key for partners."""
    settings = settings_for(data_dir, create=True)
    try:
        me = init_instance(settings.data_dir, agency)
    except ValueError as exc:
        raise fail(str(exc)) from None
    console.print(f"{me.agency} public key: [bold]{me.public_key}[/bold]")


@app.command("identity")
def identity(as_json: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """Print the agency and public key to give to partners."""
    with unit_of_work(data_dir) as (settings, _session):
        me = load_instance(settings.data_dir)
    if as_json:
        print_json({"agency": me.agency, "public_key": me.public_key})
    else:
        typer.echo(f"{me.agency} {me.public_key}")


@app.command("register")
def register(
    agency: Annotated[str, typer.Argument(help="The partner agency's code.")],
    public_key: Annotated[str, typer.Argument(help="Its Ed25519 public key (base64).")],
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Register a partner's public key (exchanged out of band, checked by phone)."""
    with unit_of_work(data_dir) as (settings, session):
        actor = actor_for(settings, user, None, Need.EXCHANGE_ADMIN)
        partners.register_partner(session, actor, agency, public_key)
    console.print(f"registered {agency}")


def _need_route(out: Path | None, url: str | None) -> None:
    if out is None and url is None:
        raise fail("say where the bundle goes: --out FILE or --url URL")


def _dispatch(
    settings: Settings,
    sent: sending.Sent,
    out: Path | None,
    url: str | None,
    actor: Actor,
    need: Need = Need.TRANSFERS_WRITE,
) -> None:
    """The bundle is committed in the outbox already; now carry it."""
    store = open_store(settings)
    try:
        if out is not None:
            written = hand_over_as_file(store, sent.bundle_id, out, actor.user,
                                        is_delivery=url is None)  # fmt: skip
            console.print(f"wrote {written}")
        if url is not None:
            me = load_instance(settings.data_dir)
            results = sending.deliver(store, actor, me, [sent.bundle_id], need=need)
            if not results:  # a concurrent `exchange resend` delivered it first
                console.print(f"{sent.recipient} has it already (see exchange outbox --all)")
                return
            (result,) = results
            if not result.delivered:
                raise fail(
                    f"{result.message}; the change is recorded here and the bundle waits "
                    "in the outbox: scamnet exchange resend"
                )
            console.print(f"{sent.recipient} applied it: {result.message}")
    finally:
        store.dispose()


@app.command("send-request")
def cmd_send_request(
    reference: Annotated[str, typer.Argument(help="Our transfer request's reference.")],
    out: OutOption = None,
    url: UrlOption = None,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Send a transfer request to the partner it is addressed to."""
    _need_route(out, url)
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        actor = actor_for(settings, user, me.agency, Need.TRANSFERS_WRITE)
        sent = sending.send_request(SqlUnitOfWork(session), actor, me, reference, url)
    _dispatch(settings, sent, out, url, actor)


@app.command("send-status")
def cmd_send_status(
    reference: Annotated[str, typer.Argument(help="The transfer request's reference.")],
    new: Annotated[TransferStatus, typer.Argument(help="acknowledged, executed or refused.")],
    note: Annotated[str, typer.Option(help="A note for the record.")] = "",
    out: OutOption = None,
    url: UrlOption = None,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Answer a request made to us here and tell the requesting agency (one transaction)."""
    _need_route(out, url)
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        actor = actor_for(settings, user, me.agency, Need.TRANSFERS_WRITE)
        sent = sending.send_status(SqlUnitOfWork(session), actor, me, reference, new, note, url)
    _dispatch(settings, sent, out, url, actor)


@app.command("send-manifest")
def cmd_send_manifest(
    manifest: Annotated[
        Path, typer.Argument(help="Manifest CSV of one batch we hand over.", exists=True)
    ],
    request: Annotated[str | None, typer.Option(help="The request it executes.")] = None,
    out: OutOption = None,
    url: UrlOption = None,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Record a handover we give and send its manifest to the receiving agency."""
    _need_route(out, url)
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        parsed = read_manifest(manifest, request)
        actor = actor_for(settings, user, me.agency, Need.HANDOVERS_WRITE)
        sent = sending.send_manifest(SqlUnitOfWork(session), actor, me, parsed, url)
    _dispatch(settings, sent, out, url, actor, Need.HANDOVERS_WRITE)


@app.command("send-wanted")
def cmd_send_wanted(
    partner: Annotated[str, typer.Argument(help="The partner agency's code.")],
    warrant: Annotated[list[str] | None, typer.Option(help="Only these warrants.")] = None,
    out: OutOption = None,
    url: UrlOption = None,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Send our agency's wanted list (or some warrants of it) to a partner."""
    _need_route(out, url)
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        actor = actor_for(settings, user, me.agency, Need.TRANSFERS_WRITE)
        sent = sending.send_wanted(SqlUnitOfWork(session), actor, me, partner, warrant, url)
    _dispatch(settings, sent, out, url, actor)


@app.command("receive")
def cmd_receive(
    bundle_file: Annotated[Path, typer.Argument(help="A bundle file from a partner.", exists=True)],
    data_dir: DataDirOption = None,
) -> None:
    """Verify, deduplicate, check the sender's rights and apply a bundle received as a file."""
    with unit_of_work(data_dir) as (settings, session):
        summary = receive(session, load_instance(settings.data_dir), read_bundle(bundle_file))
    console.print(f"applied: {summary}")


@app.command("ledger")
def ledger(as_json: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """Bundles sent and received, and the digest to compare with the partner's."""
    if as_json:
        with unit_of_work(data_dir) as (_settings, session):
            entries, digest = BundleLedger(session).entries(), ledger_digest(session)
        print_json({"bundles": entries, "digest": digest})
        return
    with unit_of_work(data_dir) as (_settings, session):
        table = Table("bundle", "direction", "kind", "from", "to", "created", "summary")
        for b in BundleLedger(session).entries():
            table.add_row(
                b.bundle_id[:12],
                b.direction,
                b.kind,
                b.sender,
                b.recipient,
                f"{b.created_at:%Y-%m-%d %H:%M}",
                b.summary,
            )
        digest = ledger_digest(session)
    console.print(table)
    console.print(f"ledger digest: [bold]{digest}[/bold]")


@app.command("outbox")
def outbox(
    every: Annotated[bool, typer.Option("--all", help="Delivered and refused ones too.")] = False,
    as_json: JsonOption = False,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Bundles waiting for a partner's acknowledgement (with --all: every bundle sent)."""
    with unit_of_work(data_dir) as (settings, session):
        me = load_instance(settings.data_dir)
        actor = actor_for(settings, user, me.agency, Need.TRANSFERS_READ)
        rows = sending.outbox(SqlUnitOfWork(session), actor, me, every)
    if as_json:
        print_json({"bundles": rows, "pending": sum(r.state == "pending" for r in rows)})
        return
    table = Table("bundle", "kind", "to", "state", "attempts", "last error", "next attempt")
    for r in rows:
        due = r.next_attempt_at if r.state == "pending" else None
        table.add_row(
            r.bundle_id[:12], r.kind, r.recipient, r.state, str(r.attempts),
            r.last_error or "", f"{due:%Y-%m-%d %H:%M}" if due else "",
        )  # fmt: skip
    console.print(table)
    console.print(f"{sum(r.state == 'pending' for r in rows)} pending")


@app.command("resend")
def resend(
    url: Annotated[
        str | None, typer.Option("--url", help="Deliver here instead of the queued address.")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Only bundles to this agency.")] = None,
    attempts: Annotated[
        int, typer.Option(help="Tries per bundle, with backoff.", min=1, max=sending.MAX_ATTEMPTS)
    ] = 4,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Deliver every pending bundle again, oldest first, until the partner acknowledges it."""
    settings = settings_for(data_dir)
    me = load_instance(settings.data_dir)
    actor = actor_for(settings, user, me.agency, Need.TRANSFERS_WRITE)
    store = open_store(settings)
    try:
        results = sending.deliver(store, actor, me, url=url, recipient=to, attempts=attempts)
    finally:
        store.dispose()
    for r in results:
        mark = "[green]delivered[/green]" if r.delivered else "[red]not delivered[/red]"
        console.print(f"{r.bundle_id[:12]} {r.kind} → {r.recipient}: {mark}: {r.message}")
    waiting = sum(not r.delivered for r in results)
    if waiting:
        raise fail(f"{waiting} bundles still wait in the outbox")
    console.print(f"{len(results)} delivered, nothing pending")

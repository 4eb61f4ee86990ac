"""``scamnet stream``: workers that take records from NATS JetStream, a producer that
publishes NDJSON files to it, and partners' watch lists (docs/stream.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path
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
    open_store,
    settings_for,
)
from scamnet.core.access import Permission as Need
from scamnet.core.errors import DomainError, NotAllowed

app = typer.Typer(help="The stream: NATS JetStream workers, a producer, watch lists.",
                  no_args_is_help=True)  # fmt: skip
NatsOption = Annotated[
    str, typer.Option("--nats", envvar="SCAMNET_NATS_URL", help="The NATS server's URL.")
]


@app.command("worker")
def worker(
    nats: NatsOption = "nats://127.0.0.1:4222",
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Messages per fetch.")] = 200,
    idle_exit: Annotated[
        float | None, typer.Option("--idle-exit", help="Stop after this many idle seconds.")
    ] = None,
    ack_wait: Annotated[
        float,
        typer.Option(
            "--ack-wait",
            min=1,
            help="Seconds before an unacknowledged "
            "message is redelivered (set when the consumer is created).",
        ),
    ] = 30.0,
    group_lines: Annotated[
        int,
        typer.Option(
            "--group-lines",
            min=0,
            max=40_000,  # scamnet.stream.intake.GROUP_LINES: a commit and its scoring stay short
            help="While behind the stream, fetch on (one fetch after another) and take "
            "up to this many lines (at most 40,000, and 64 MiB) in as one group: less CPU "
            "per record, a longer wait behind a big group. 0: a group per fetch.",
        ),
    ] = 20_000,
    data_dir: DataDirOption = None,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
) -> None:
    """Take records from the stream into the lake, score them, queue the people to warn.

    Run several: they share one durable consumer. A message is acknowledged only
    once its records are committed, so a killed worker loses and doubles nothing.
    Stops on SIGTERM or Ctrl-C after the batch in hand.
    """
    from scamnet.stream.service import run_worker

    settings = settings_for(data_dir, create=True)
    actor = actor_for(settings, user, agency, Need.RECORDS_PUSH)
    store = open_store(settings)
    try:
        stats = run_worker(settings, store, actor, nats, batch, idle_exit, ack_wait, group_lines)
    except (TimeoutError, OSError) as exc:
        raise fail(f"cannot reach NATS at {nats}: {exc}") from None
    except NotAllowed as exc:
        raise fail(str(exc)) from None
    finally:
        store.dispose()
    console.print(
        f"{stats.messages:,} messages, {stats.stored:,} records stored, {stats.already:,} "
        f"already stored, {stats.rejected:,} rejected, {stats.refused:,} messages refused, "
        f"{stats.alerts:,} alerts, {stats.queued:,} people queued; {stats.fetches:,} "
        f"fetches in {stats.groups:,} groups"
    )


@app.command("publish")
def publish(
    kind: Annotated[str, typer.Argument(help="calls, messages, transfers or reports")],
    file: Annotated[Path, typer.Argument(help="NDJSON: one record a line.")],
    nats: NatsOption = "nats://127.0.0.1:4222",
    lines: Annotated[int, typer.Option(min=1, max=5_000, help="Records per message.")] = 100,
) -> None:
    """Publish an NDJSON file to the stream, a few records a message (a producer)."""
    from scamnet.stream.jetstream import publish as send

    try:
        messages = _chunks(file.read_bytes(), lines)
        sent = asyncio.run(send(nats, kind, messages))
    except DomainError as exc:
        raise fail(str(exc), 2) from None
    except (TimeoutError, OSError) as exc:
        raise fail(f"cannot publish: {exc}") from None
    console.print(f"{sent:,} messages published to {kind}")


def _chunks(body: bytes, lines: int) -> list[bytes]:
    rows = [r for r in body.splitlines(keepends=True) if r.strip()]
    return [b"".join(rows[i : i + lines]) for i in range(0, len(rows), lines)]


@app.command("watch")
def watch(
    file: Annotated[Path, typer.Argument(help="CSV with columns kind, identifier, fraud_type.")],
    source: Annotated[str, typer.Option("--source", help="The partner or list it comes from.")],
    data_dir: DataDirOption = None,
    user: UserOption = DEFAULT_USER,
    agency: AgencyOption = None,
) -> None:
    """Add a partner's watch list: its identifiers are matched on every arriving record."""
    from scamnet.stream.service import add_watch_list

    settings = settings_for(data_dir)
    actor = actor_for(settings, user, agency, Need.DATA_INGEST)
    store = open_store(settings)
    try:
        added, known = add_watch_list(store, actor, file, source)
    except DomainError as exc:
        raise fail(str(exc), 2) from None
    finally:
        store.dispose()
    console.print(f"{added:,} identifiers added to the watch list, {known:,} already on it")

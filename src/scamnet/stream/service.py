"""Wiring the stream: the intake with arrival scoring behind it, for the API and workers."""

from __future__ import annotations

import asyncio
import csv
import gc
import signal
from datetime import UTC, datetime
from pathlib import Path

from scamnet.core.access import Actor, Permission
from scamnet.core.errors import InvalidIdentifier, InvalidRecord, NotAllowed
from scamnet.core.identifiers import parse_identifier
from scamnet.core.records import FraudType
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.audit import AuditLog
from scamnet.store.dissuasion import WatchRepository
from scamnet.stream.arrival import ArrivalProcessor
from scamnet.stream.intake import PushIntake
from scamnet.stream.jetstream import GROUP_LINES_DEFAULT, Worker, WorkerStats

DEFAULT_AGENCY = "local"
WATCHED_KINDS = ("tel", "acct", "wallet")  # what a call, message or payment comes from


def embedded_intake(settings: Settings, store: Store, agency: str = DEFAULT_AGENCY,
                    own_pool: bool = False) -> PushIntake:  # fmt: skip
    """The intake of ``scamnet serve``: records scored on arrival, in the same process.

    The rolling features start from the lake's records of today and the look-back.
    ``own_pool``: the intake opens the store again, with connections of its own. In
    the API every request holds a connection while its batch waits for its group:
    sharing their pool, the group's commit could wait for a connection behind the
    very requests waiting for it. (An in-memory store cannot be opened twice.)
    """
    owned = own_pool and store.audits is not None  # None: an in-memory store
    if owned:
        store = Store(store.url, store.pool)
    processor = ArrivalProcessor(store, settings, agency)
    processor.warm(datetime.now(UTC).date())
    # What the intake holds for its lifetime (models, the warmed features, the
    # libraries) is frozen out of the collector: Python's collections walked it all
    # again and again (about a sixth of the intake's CPU in `stream_intake_cpu.py`).
    # Whatever is allocated afterwards is still collected.
    gc.freeze()
    return PushIntake(settings, store, processor, owns_store=owned)


def run_worker(
    settings: Settings, store: Store, actor: Actor, url: str, batch: int = 200,
    idle_exit_s: float | None = None, ack_wait_s: float = 30.0,
    group_lines: int = GROUP_LINES_DEFAULT,
) -> WorkerStats:  # fmt: skip
    """A ``scamnet stream`` worker for ``actor`` (who holds records.push): pulls from NATS
    until SIGTERM or SIGINT (or ``idle_exit_s`` seconds without a message)."""
    if not actor.may(Permission.RECORDS_PUSH):
        raise NotAllowed("a stream worker's user needs records.push")
    intake = embedded_intake(settings, store, actor.agency)
    worker = Worker(intake, actor, url, batch, ack_wait_s, group_lines)

    async def main() -> WorkerStats:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        return await worker.run(idle_exit_s)

    try:
        return asyncio.run(main())
    finally:
        intake.close()


def add_watch_list(store: Store, actor: Actor, path: Path, source: str) -> tuple[int, int]:
    """A partner's watch list (CSV: kind, identifier, fraud_type) into the store.

    Each identifier is checked with the core types (a phone number becomes E.164).
    Returns (added, already listed). A bad row refuses the whole list, naming its line.
    """
    if not actor.may(Permission.DATA_INGEST):
        raise NotAllowed("adding a watch list needs data.ingest")
    if not 1 <= len(source.strip()) <= 64:
        raise InvalidRecord("a watch list's source is 1 to 64 characters")
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidRecord(f"{path.name}: cannot be read as a UTF-8 CSV ({exc})") from None
    now = datetime.now(UTC)
    out = []
    for line, row in enumerate(rows, start=2):
        raw = (row.get("identifier") or "").strip()
        fraud = (row.get("fraud_type") or "other").strip()
        if fraud not in set(FraudType):
            raise InvalidRecord(f"{path.name} line {line}: unknown fraud type {fraud[:40]!r}")
        kind = (row.get("kind") or "tel").strip()
        if kind not in WATCHED_KINDS:
            raise InvalidRecord(
                f"{path.name} line {line}: kind is one of {', '.join(WATCHED_KINDS)}"
            )
        try:
            ident = parse_identifier(kind, raw)
        except InvalidIdentifier as exc:
            raise InvalidRecord(f"{path.name} line {line}: {exc}") from None
        out.append({"identifier": ident.value, "source": source.strip(), "fraud_type": fraud,
                    "added_by": actor.user, "added_at": now})  # fmt: skip
    with store.session() as session:
        added = WatchRepository(session).add(out)
        AuditLog(session).append(actor.user, "watchlist.add", f"watchlist:{source.strip()}",
                                 {"file": path.name, "rows": len(out), "added": added})  # fmt: skip
    return added, len(out) - added

"""Delivering the outbox: each pending bundle, oldest first, until the partner acknowledges it.

The bundle resent is always the one committed with the local change (same id,
same signature), so the partner either applies it once or answers that it
already has: the two ledgers converge whatever failed in between. Bundles to one
partner go in order; after a failure the later ones wait, because a status
change or a manifest may depend on an earlier bundle.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from scamnet.exchange.transport import deliver, write_bundle
from scamnet.store import Store
from scamnet.store.audit import AuditLog
from scamnet.store.outbox import Outbox, OutboxRow, bundle_of

MAX_RETRY_DELAY = timedelta(hours=1)


@dataclass(frozen=True)
class Delivery:
    bundle_id: str
    kind: str
    recipient: str
    delivered: bool
    message: str


def deliver_pending(
    store: Store,
    url: str | None = None,
    only: list[str] | None = None,
    recipient: str | None = None,
    attempts: int = 4,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Deliver what waits in the outbox (or only the bundles named); one line per bundle.

    ``url`` overrides the address each bundle was queued with. Each outcome is
    committed on its own, so an interrupted run loses nothing.
    """
    with store.session() as session:
        queued = [
            (r.bundle_id, r.kind, r.recipient, r.url, bundle_of(r), r.attempts)
            for r in Outbox(session).pending(recipient)
            if only is None or r.bundle_id in only
        ]
    results: list[Delivery] = []
    blocked: set[str] = set()
    for bundle_id, kind, to, queued_url, bundle, tried in queued:
        target = url or queued_url
        if to in blocked:
            results.append(Delivery(bundle_id, kind, to, False, "waits for an earlier bundle"))
            continue
        if target is None:
            blocked.add(to)
            results.append(Delivery(bundle_id, kind, to, False, "no address: give --url"))
            continue
        outcome = deliver(bundle, target, attempts=attempts, backoff=backoff, sleep=sleep)
        with store.session() as session:
            box = Outbox(session)
            if outcome.delivered:
                box.delivered(bundle_id, outcome.message, target)
            else:
                # Backoff across runs too: doubling with every failed attempt, capped.
                wait = min(timedelta(seconds=30) * 2 ** min(tried, 10), MAX_RETRY_DELAY)
                box.failed(bundle_id, outcome.message, None if outcome.final else wait, target)
        if not outcome.delivered:
            blocked.add(to)
        results.append(Delivery(bundle_id, kind, to, outcome.delivered, outcome.message))
    return results


def queued(store: Store, every: bool = False) -> list[OutboxRow]:
    """What waits for a partner's acknowledgement (``every``: each bundle ever sent)."""
    with store.session() as session:
        box = Outbox(session)
        return box.all() if every else box.pending()


def hand_over_as_file(
    store: Store, bundle_id: str, path: Path, user: str, is_delivery: bool = True
) -> Path:
    """Write a queued bundle to a file; for an air-gapped link (``is_delivery``) the file
    is its delivery, otherwise it is a copy and the bundle stays queued for HTTP."""
    with store.session() as session:
        box = Outbox(session)
        row = box.get(bundle_id)
        if row is None:
            raise LookupError(f"no bundle {bundle_id} in the outbox")
        target = write_bundle(bundle_of(row), path)
        # Personal data leaving the database for a file is an export: it is audited.
        AuditLog(session).append(
            user, "exchange.export_file", bundle_id, {"path": str(target), "to": row.recipient}
        )
        if is_delivery and row.state != "delivered":
            box.delivered(bundle_id, f"written to {target}", None)
    return target

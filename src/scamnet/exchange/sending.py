"""Sending to partners and minding the outbox: the use cases the CLI's ``scamnet exchange
send-*|outbox|resend`` and the API's ``/v1/exchange/...`` both call.

Each send writes the local change, the ledger and audit entries and the outbox row in
the caller's unit of work (``scamnet.exchange.service``); carrying the bundle comes
after the commit (`deliver`), so a failed delivery never loses the change: the bundle
waits in the outbox for `deliver` again.

The exchange is the instance's agency's: an actor whose scope does not hold that
agency sees none of it (its requests, its outbox) and is told "not found", never
"forbidden", so nothing about them is revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scamnet.cases import transfers
from scamnet.cases.manifest import Manifest
from scamnet.core.access import Actor, Permission
from scamnet.core.cases import TransferStatus
from scamnet.core.errors import InvalidRecord, NotAllowed, NotFound
from scamnet.exchange import service
from scamnet.exchange.delivery import Delivery, deliver_pending
from scamnet.exchange.keys import Instance
from scamnet.store import Store
from scamnet.store.audit import AuditLog
from scamnet.store.outbox import Outbox, OutboxRow, bundle_of
from scamnet.store.uow import SqlUnitOfWork

P = Permission
MAX_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class Sent:
    """A bundle sealed and queued in the outbox, with the code the partner must apply."""

    bundle_id: str
    kind: str
    recipient: str
    handling: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Queued:
    """One outbox row as an exchange officer sees it (no payload: only its envelope)."""

    bundle_id: str
    kind: str
    recipient: str
    state: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    reply: str | None


def _may(actor: Actor, me: Instance, need: Permission) -> None:
    """The permission, then the scope: the exchange acts in the instance agency's name."""
    if not actor.may(need):
        raise NotAllowed(f"{actor.user!r} may not do this: it needs {need.value}")
    if not actor.sees_agency(me.agency):
        raise NotFound(f"{me.agency}'s exchange is not in {actor.agency}'s scope")


def _sent(bundle: dict[str, object], url: str | None) -> Sent:
    return Sent(str(bundle["id"]), str(bundle["kind"]), str(bundle["recipient"]),
                str(bundle.get("handling", "")), url)  # fmt: skip


def _visible_request(uow: SqlUnitOfWork, actor: Actor, reference: str) -> None:
    request = transfers.get(uow, reference)
    seen = uow.access.visibility(actor)
    if seen.ceiling(request.requesting_agency) is None and (
        seen.ceiling(request.partner_agency) is None
    ):
        raise NotFound(f"no transfer request {reference!r}")


def _checked_url(url: str | None) -> str | None:
    if url is not None and not url.startswith(("http://", "https://")):
        raise InvalidRecord(f"not an http(s) URL: {url!r}")
    return url


def send_request(
    uow: SqlUnitOfWork, actor: Actor, me: Instance, reference: str, url: str | None = None
) -> Sent:
    """Send our transfer request ``reference`` to the partner it is addressed to.

    Raises:
        NotAllowed: the actor lacks transfers.write.
        NotFound: no such request in the actor's scope.
        BundleRefused: not our request, or its partner's key is not registered.
    """
    _may(actor, me, P.TRANSFERS_WRITE)
    _visible_request(uow, actor, reference)
    bundle = service.send_request(uow.session, me, reference, actor, _checked_url(url))
    return _sent(bundle, url)


def send_status(
    uow: SqlUnitOfWork,
    actor: Actor,
    me: Instance,
    reference: str,
    status: TransferStatus,
    note: str = "",
    url: str | None = None,
) -> Sent:
    """Answer a request made to us (acknowledge, execute, refuse) and tell the requester;
    the change here and the bundle are one transaction."""
    _may(actor, me, P.TRANSFERS_WRITE)
    _visible_request(uow, actor, reference)
    bundle = service.send_status(uow.session, me, reference, status, note, actor,
                                 _checked_url(url))  # fmt: skip
    return _sent(bundle, url)


def send_manifest(
    uow: SqlUnitOfWork, actor: Actor, me: Instance, manifest: Manifest, url: str | None = None
) -> Sent:
    """Record the one batch of ``manifest`` as a handover we give, and send it.

    Raises:
        InvalidRecord: the manifest holds more or less than one batch.
    """
    _may(actor, me, P.HANDOVERS_WRITE)
    if len(manifest.batches) != 1:
        raise InvalidRecord("send one batch per manifest file")
    header, lines = manifest.batches[0]
    bundle = service.send_manifest(uow.session, me, header, lines, actor, _checked_url(url))
    return _sent(bundle, url)


def send_wanted(
    uow: SqlUnitOfWork,
    actor: Actor,
    me: Instance,
    partner: str,
    warrants: list[str] | None = None,
    url: str | None = None,
) -> Sent:
    """Send our agency's wanted list (or the warrants named) to ``partner``; H3
    warrants never leave (`scamnet.exchange.service.wanted_payload`)."""
    _may(actor, me, P.TRANSFERS_WRITE)
    bundle = service.send_wanted(uow.session, me, partner, warrants or None, actor,
                                 _checked_url(url))  # fmt: skip
    return _sent(bundle, url)


def _queued(row: OutboxRow) -> Queued:
    return Queued(row.bundle_id, row.kind, row.recipient, row.state, row.attempts,
                  row.created_at, row.last_attempt_at, row.next_attempt_at, row.last_error,
                  row.reply)  # fmt: skip


def outbox(uow: SqlUnitOfWork, actor: Actor, me: Instance, every: bool = False) -> list[Queued]:
    """What waits for a partner's acknowledgement (``every``: each bundle ever sent),
    oldest first. An actor outside the instance agency's scope sees an empty outbox."""
    if not actor.may(P.TRANSFERS_READ):
        raise NotAllowed(f"{actor.user!r} may not read the outbox: it needs transfers.read")
    if not actor.sees_agency(me.agency):
        return []
    box = Outbox(uow.session)
    return [_queued(r) for r in (box.all() if every else box.pending())]


def queued_bundle(uow: SqlUnitOfWork, actor: Actor, me: Instance,
                  bundle_id: str) -> dict[str, object]:  # fmt: skip
    """One bundle of the outbox as it was signed, to carry by hand (the air-gapped
    link): an audited export, since it holds what the payload holds."""
    _may(actor, me, P.TRANSFERS_READ)
    row = Outbox(uow.session).get(bundle_id)
    if row is None:
        raise NotFound(f"no bundle {bundle_id} in the outbox")
    AuditLog(uow.session).append(actor.user, "exchange.export_bundle", bundle_id,
                                 {"to": row.recipient, "why": actor.why})  # fmt: skip
    return bundle_of(row)


def check_delivery(store: Store, actor: Actor, me: Instance, need: Permission,
                   bundles: list[str] | None) -> None:  # fmt: skip
    """Refuse a delivery before it is queued: the permission, the scope, and bundles
    named that are not in the outbox (NotFound)."""
    _may(actor, me, need)
    if bundles:
        with store.session() as session:
            box = Outbox(session)
            missing = [b for b in bundles if box.get(b) is None]
        if missing:
            raise NotFound(f"no bundle {missing[0]} in the outbox")


def deliver(
    store: Store,
    actor: Actor,
    me: Instance,
    bundles: list[str] | None = None,
    url: str | None = None,
    recipient: str | None = None,
    attempts: int = 4,
    need: Permission = P.TRANSFERS_WRITE,
) -> list[Delivery]:
    """Deliver the pending bundles (or those named), oldest first, each outcome committed
    on its own; the delivery run is audited (who carried what where)."""
    check_delivery(store, actor, me, need, bundles)
    if not 1 <= attempts <= MAX_ATTEMPTS:
        raise InvalidRecord(f"attempts: between 1 and {MAX_ATTEMPTS}")
    results = deliver_pending(store, url=_checked_url(url), only=bundles, recipient=recipient,
                              attempts=attempts)  # fmt: skip
    with store.session() as session:
        AuditLog(session).append(
            actor.user, "exchange.deliver", me.agency,
            {"bundles": [r.bundle_id for r in results],
             "delivered": sum(r.delivered for r in results), "url": url},
        )  # fmt: skip
    return results

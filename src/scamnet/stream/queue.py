"""The dissuasion queue (劝阻): officers take the people to warn, most urgent first,
and record what happened. Every read and every change is audited: the queue names
potential victims.

An item moves open → taken → closed. Taking an item that another officer holds is
refused; an outcome closes the item (``no_answer`` leaves it open for another try).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import InvalidRecord, NotAllowed, NotFound
from scamnet.store.audit import AuditLog
from scamnet.store.dissuasion import DissuasionRepository, QueueItem

MAX_PAGE = 200
ADVICE = {
    "impersonate_authority": "The police never ask for money or a 'safe account' by phone: "
    "hang up, call 110.",
    "customer_service": "No shop refunds through a screen-sharing app or a new transfer: "
    "stop, call the shop's published number.",
    "loan_credit": "A loan that needs a deposit or a 'credit repair' fee first is a scam: "
    "pay nothing.",
    "investment": "Guaranteed high returns on an app a stranger recommends are a scam: "
    "do not deposit more.",
    "task_rebate": "Paid 'likes' or orders that ask you to pay in first are a scam: stop now.",
    "impersonate_acquaintance": "Call the friend or boss back on the number you know before "
    "sending anything.",
    "romance": "Someone you have never met who asks for money or an investment is a scam.",
    "other": "A caller flagged as a likely scam contacted you: do not transfer money, "
    "call 96110 for advice.",
}


class Outcome(StrEnum):
    """What an officer's call achieved."""

    REACHED = "reached"  # the person answered; no scam under way
    WARNED = "warned"  # the person was warned in time
    MONEY_STOPPED = "money_stopped"  # a payment was stopped or frozen
    NO_ANSWER = "no_answer"  # nobody answered: the item goes back to the queue


def advice_for(fraud_type: str) -> str:
    return ADVICE.get(fraud_type, ADVICE["other"])


@dataclass(frozen=True, slots=True)
class QueuePage:
    total: int
    items: list[QueueItem]


def _agencies(actor: Actor) -> frozenset[str]:
    return frozenset({actor.agency}) | actor.scope


def _visible(repo: DissuasionRepository, actor: Actor, item_id: int) -> QueueItem:
    item = repo.get(item_id)
    if item is None or item.agency not in _agencies(actor):
        raise NotFound(f"no dissuasion item {item_id}")  # never say it exists elsewhere
    return item


def list_queue(session: Session, actor: Actor, status: str | None = "open", limit: int = 50,
               offset: int = 0) -> QueuePage:  # fmt: skip
    """The actor's agencies' items, most urgent first (an audited read)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRecord(f"a page holds 1 to {MAX_PAGE} items")
    if offset < 0:
        raise InvalidRecord("the offset cannot be negative")
    if status is not None and status not in ("open", "taken", "closed"):
        raise InvalidRecord(f"unknown status {status!r}; one of open, taken, closed")
    total, items = DissuasionRepository(session).page(_agencies(actor), status, limit, offset)
    AuditLog(session).append(actor.user, "dissuasion.list", "dissuasion",
                             {"agency": actor.agency, "why": actor.why,
                              "shown": [i.id for i in items]})  # fmt: skip
    return QueuePage(total, items)


def show_item(session: Session, actor: Actor, item_id: int) -> QueueItem:
    """One item (an audited read)."""
    item = _visible(DissuasionRepository(session), actor, item_id)
    AuditLog(session).append(actor.user, "dissuasion.read", f"dissuasion:{item_id}",
                             {"agency": actor.agency, "why": actor.why})  # fmt: skip
    return item


def take(session: Session, actor: Actor, item_id: int) -> QueueItem:
    """The officer takes the item: nobody else calls the same person meanwhile."""
    repo = DissuasionRepository(session)
    item = _visible(repo, actor, item_id)
    if item.status == "closed":
        raise InvalidRecord(f"item {item_id} is closed ({item.outcome})")
    if item.status == "taken" and item.taken_by != actor.user:
        raise NotAllowed(f"item {item_id} is taken by {item.taken_by}")
    taken = repo.update(item_id, status="taken", taken_by=actor.user, taken_at=datetime.now(UTC))
    AuditLog(session).append(actor.user, "dissuasion.take", f"dissuasion:{item_id}",
                             {"agency": actor.agency})  # fmt: skip
    assert taken is not None
    return taken


def record_outcome(
    session: Session, actor: Actor, item_id: int, outcome: Outcome,
    prevented: str | Decimal | None = None, note: str = "",
) -> QueueItem:  # fmt: skip
    """Record what the call achieved; ``prevented`` is the money stopped (money_stopped)."""
    repo = DissuasionRepository(session)
    item = _visible(repo, actor, item_id)
    if item.status != "taken" or item.taken_by != actor.user:
        raise InvalidRecord(f"take item {item_id} before recording its outcome")
    amount = _amount(prevented)
    if amount is not None and outcome is not Outcome.MONEY_STOPPED:
        raise InvalidRecord("an amount prevented goes with the outcome money_stopped")
    if outcome is Outcome.MONEY_STOPPED and amount is None:
        amount = item.amount  # the payment that was stopped
    text = note.strip()
    if len(text) > 2000:
        raise InvalidRecord("a note holds at most 2,000 characters")
    now = datetime.now(UTC)
    values: dict[str, object]
    if outcome is Outcome.NO_ANSWER:
        values = {"status": "open", "taken_by": None, "taken_at": None, "outcome": outcome.value,
                  "outcome_at": now, "note": text or None}  # fmt: skip
    else:
        values = {"status": "closed", "outcome": outcome.value, "outcome_at": now,
                  "prevented": amount, "note": text or None}  # fmt: skip
    done = repo.update(item_id, **values)
    detail = {"agency": actor.agency, "outcome": outcome.value,
              "prevented": str(amount) if amount is not None else None}  # fmt: skip
    AuditLog(session).append(actor.user, "dissuasion.outcome", f"dissuasion:{item_id}", detail)
    assert done is not None
    return done


def _amount(value: str | Decimal | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidRecord(f"not an amount: {str(value)[:40]!r}") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidRecord("an amount prevented is positive, with at most 2 decimal places")
    if amount >= Decimal("1e15"):
        raise InvalidRecord("an amount prevented is under 10^15")
    return amount

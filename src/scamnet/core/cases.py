"""Rules of casework: where a case comes from, transfer requests, custody, operations.

Like the suspect lifecycle, each rule here is a small table that the store and
the exchange ask; none of them does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from scamnet.core.errors import DomainError, InvalidRecord


class CaseOrigin(StrEnum):
    """What a case was opened from."""

    GROUP = "group"
    ALERT = "alert"
    REPORT = "report"
    MANUAL = "manual"


class IllegalRequestChange(DomainError):
    """A transfer request status change the procedure does not allow."""


class TransferStatus(StrEnum):
    """A request to a partner agency to hand over named persons."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    EXECUTED = "executed"
    REFUSED = "refused"

    def transition_to(self, new: TransferStatus) -> TransferStatus:
        """Return ``new`` if the procedure allows it, otherwise raise."""
        if new not in _REQUEST_NEXT[self]:
            allowed = ", ".join(sorted(_REQUEST_NEXT[self])) or "none: it is closed"
            raise IllegalRequestChange(
                f"a transfer request cannot go from {self.value!r} to {new.value!r}; "
                f"allowed: {allowed}"
            )
        return new


# A partner may execute a request straight away (the handover is the acknowledgement).
_REQUEST_NEXT: dict[TransferStatus, frozenset[TransferStatus]] = {
    TransferStatus.SENT: frozenset(
        {TransferStatus.ACKNOWLEDGED, TransferStatus.EXECUTED, TransferStatus.REFUSED}
    ),
    TransferStatus.ACKNOWLEDGED: frozenset({TransferStatus.EXECUTED, TransferStatus.REFUSED}),
    TransferStatus.EXECUTED: frozenset(),
    TransferStatus.REFUSED: frozenset(),
}


class CustodyEvent(StrEnum):
    """What happens to a person after the border, in the order it must happen."""

    RECEIVED = "received"
    IDENTITY_VERIFIED = "identity_verified"
    HEALTH_CHECK = "health_check"
    TRANSFERRED = "transferred"

    @property
    def step(self) -> int:
        return list(CustodyEvent).index(self)


def check_custody_step(done: list[CustodyEvent], new: CustodyEvent, detail: str) -> None:
    """Refuse a custody event out of order, twice, or a transfer with no bureau named.

    The chain of custody is evidence: a person cannot be transferred before being
    received and identified, and each step is recorded once.
    """
    if new in done:
        raise InvalidRecord(f"custody event {new.value!r} is already recorded for this person")
    missing = [e.value for e in CustodyEvent if e.step < new.step and e not in done]
    if missing:
        raise InvalidRecord(f"custody event {new.value!r} needs first: {', '.join(missing)}")
    if new is CustodyEvent.TRANSFERRED and not detail.strip():
        raise InvalidRecord("a transfer must name the receiving bureau")


class TargetKind(StrEnum):
    """What an operation is aimed at."""

    GROUP = "group"
    SITE = "site"
    PERSON = "person"


class OutcomeKind(StrEnum):
    """What an operation achieved. The statistics count these."""

    SITE_CLOSED = "site_closed"
    PERSON_ARRESTED = "person_arrested"


def require_legal_basis(basis: str) -> str:
    """Every status change and request cites its legal basis; an empty one is refused."""
    text = basis.strip()
    if not text:
        raise InvalidRecord("a legal basis is required (the article, warrant or treaty relied on)")
    if len(text) > 500:
        raise InvalidRecord("a legal basis longer than 500 characters")
    return text


@dataclass(frozen=True, slots=True)
class CaseSummary:
    reference: str
    title: str
    origin: str
    origin_ref: str | None
    agency: str
    opened_by: str
    opened_at: datetime
    suspects: int
    handling: str = "H1"


@dataclass(frozen=True, slots=True)
class SuspectView:
    id: int
    case: str
    person_id: int
    role: str | None
    status: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    from_status: str | None
    to_status: str
    at: datetime
    author: str
    agency: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class RequestedPerson:
    name: str
    birth_date: date | None = None
    document: str | None = None
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class TransferRequest:
    reference: str
    requesting_agency: str
    partner_agency: str
    legal_basis: str
    status: str
    created_at: datetime
    persons: tuple[RequestedPerson, ...]


@dataclass(frozen=True, slots=True)
class OperationView:
    name: str
    agency: str
    started_on: date
    targets: tuple[tuple[str, str], ...]
    outcomes: tuple[tuple[str, str, date | None], ...]

"""Observed events: calls, messages, money transfers and victim reports.

Records are high-volume and append-only; each has a natural key so that reading
the same source twice stores it once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from scamnet.core.errors import InvalidRecord
from scamnet.core.identifiers import BankAccount, Identifier, Imei, Phone, Wallet

MAX_CALL_SECONDS = 24 * 3600
MAX_TEXT_LENGTH = 10_000


class Channel(StrEnum):
    SMS = "sms"
    CHAT = "chat"
    EMAIL = "email"


class FraudType(StrEnum):
    """The fraud types used in reports, alerts and statistics."""

    IMPERSONATE_AUTHORITY = "impersonate_authority"  # police, procuratorate, government
    CUSTOMER_SERVICE = "customer_service"  # refunds, "your order has a problem"
    LOAN_CREDIT = "loan_credit"
    INVESTMENT = "investment"
    TASK_REBATE = "task_rebate"  # brushing, "likes for money"
    IMPERSONATE_ACQUAINTANCE = "impersonate_acquaintance"  # boss, friend, relative
    ROMANCE = "romance"
    OTHER = "other"


def _aware(at: datetime, what: str) -> None:
    if at.tzinfo is None:
        raise InvalidRecord(f"{what} time must carry its time zone")


def natural_key(*parts: object) -> str:
    """A short stable hash of a record's identifying fields."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Call:
    """One call detail record, from the caller's side."""

    caller: Phone
    callee: Phone
    start: datetime
    duration_s: int
    imei: Imei | None = None
    cell_id: str | None = None

    def __post_init__(self) -> None:
        _aware(self.start, "call start")
        if not 0 <= self.duration_s <= MAX_CALL_SECONDS:
            raise InvalidRecord(
                f"call duration {self.duration_s}s is outside 0..{MAX_CALL_SECONDS}"
            )
        if self.caller == self.callee:
            raise InvalidRecord("a number cannot call itself")

    @property
    def key(self) -> str:
        return natural_key(self.caller, self.callee, self.start.isoformat())


@dataclass(frozen=True, slots=True)
class Message:
    """One message between two numbers (or accounts) with its text."""

    sender: Phone
    recipient: Phone
    sent_at: datetime
    text: str
    channel: Channel = Channel.SMS

    def __post_init__(self) -> None:
        _aware(self.sent_at, "message")
        if len(self.text) > MAX_TEXT_LENGTH:
            raise InvalidRecord(f"message text longer than {MAX_TEXT_LENGTH} characters")

    @property
    def key(self) -> str:
        return natural_key(self.sender, self.recipient, self.sent_at.isoformat(), self.text)


@dataclass(frozen=True, slots=True)
class Transfer:
    """One money movement between two accounts or wallets."""

    source: BankAccount | Wallet
    target: BankAccount | Wallet
    amount: Decimal
    at: datetime
    currency: str = "CNY"

    def __post_init__(self) -> None:
        _aware(self.at, "transfer")
        if not self.amount.is_finite() or self.amount <= 0:
            raise InvalidRecord(f"transfer amount must be positive, got {self.amount}")
        if len(self.currency) not in (3, 4) or not self.currency.isupper():
            raise InvalidRecord(f"currency {self.currency!r} is not an ISO 4217 (or token) code")
        if self.source == self.target:
            raise InvalidRecord("a transfer needs two different parties")

    @property
    def key(self) -> str:
        return natural_key(self.source, self.target, self.amount, self.at.isoformat())


@dataclass(frozen=True, slots=True)
class VictimReport:
    """A victim's report to a local bureau: what happened, the loss, the scammer's traces."""

    report_id: str
    filed_at: datetime
    bureau: str
    fraud_type: FraudType
    loss: Decimal = Decimal(0)
    currency: str = "CNY"
    narrative: str = ""
    scammer_identifiers: tuple[Identifier, ...] = field(default=())

    def __post_init__(self) -> None:
        _aware(self.filed_at, "report")
        if not self.report_id.strip():
            raise InvalidRecord("a report needs an id")
        if not self.loss.is_finite() or self.loss < 0:
            raise InvalidRecord(f"a loss cannot be negative, got {self.loss}")
        if len(self.narrative) > MAX_TEXT_LENGTH:
            raise InvalidRecord(f"narrative longer than {MAX_TEXT_LENGTH} characters")

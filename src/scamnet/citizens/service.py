"""The citizens' check and report: no login, no personal data, nothing about cases.

The check is built only from what the public should know: how many victims reported
the identifier (bucketed, never the count) and whether an analyst confirmed it as a
scam. Model scores that no one confirmed, cases, suspects, persons and groups are
never read, so the answer cannot tell whether an identifier is under investigation:
an identifier only investigators know looks exactly like one nobody knows.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy.orm import Session

from scamnet.citizens.texts import ADVICE, CATEGORIES, LEVELS
from scamnet.core.errors import InvalidRecord, RateLimited
from scamnet.core.identifiers import Identifier, parse_identifier
from scamnet.core.records import FraudType
from scamnet.store.access import hit
from scamnet.store.lookup import confirmed_alert_labels, report_fraud_types
from scamnet.store.records import StoreSink

PUBLIC_KINDS = {"phone": "tel", "url": "url", "account": "acct", "wallet": "wallet"}
MEDIUM_REPORTS = 2  # one report alone may be a grudge: it says nothing to the public
HIGH_REPORTS = 5
REPORTS_PER_CLIENT = 5
REPORT_WINDOW = timedelta(hours=1)
MAX_NARRATIVE = 2000
MAX_LOSS = Decimal("1000000000")


@dataclass(frozen=True, slots=True)
class CheckResult:
    kind: str
    value: str
    risk: str  # high, medium, unknown
    summary: dict[str, str]
    reasons: list[dict[str, str]]
    advice: dict[str, str]


def _parse(kind: str, raw: str) -> tuple[str, Identifier]:
    internal = PUBLIC_KINDS.get(kind)
    if internal is None:
        raise InvalidRecord(f"check one of: {', '.join(PUBLIC_KINDS)}")
    return internal, parse_identifier(internal, raw)


class CheckFacts(Protocol):
    """The store's light read path for the check (`scamnet.store.checkreads.CheckReads`)."""

    def facts(self, kind: str, value: str) -> tuple[dict[str, int], list[str]]: ...


class AsyncCheckFacts(Protocol):
    """The same read path awaited on the event loop (PostgreSQL's)."""

    async def afacts(self, kind: str, value: str) -> tuple[dict[str, int], list[str]]: ...


def check(session: Session, kind: str, raw: str) -> CheckResult:
    """The public risk of an identifier; InvalidRecord/InvalidIdentifier for bad input."""
    internal, ident = _parse(kind, raw)
    types = report_fraud_types(session, internal, ident.value)
    confirmed = confirmed_alert_labels(session, internal, ident.value)
    return _assess(kind, ident, types, confirmed)


def check_facts(reads: CheckFacts, kind: str, raw: str) -> CheckResult:
    """``check`` through the store's light read path (one statement, no unit of work)."""
    internal, ident = _parse(kind, raw)
    types, confirmed = reads.facts(internal, ident.value)
    return _assess(kind, ident, types, confirmed)


async def acheck_facts(reads: AsyncCheckFacts, kind: str, raw: str) -> CheckResult:
    """``check_facts`` with the read awaited (the same parsing and the same answer)."""
    internal, ident = _parse(kind, raw)
    types, confirmed = await reads.afacts(internal, ident.value)
    return _assess(kind, ident, types, confirmed)


def _assess(
    kind: str, ident: Identifier, types: dict[str, int], confirmed: list[str]
) -> CheckResult:
    reports = sum(types.values())
    if confirmed or reports >= HIGH_REPORTS:
        risk = "high"
    elif reports >= MEDIUM_REPORTS:
        risk = "medium"
    else:
        risk, types = "unknown", {}
    found = set(types) | {label for label in confirmed if label in CATEGORIES}
    if risk == "high" and not found:
        found = {FraudType.OTHER.value}
    return _answer(kind, ident.value, risk, tuple(c for c in sorted(found) if c in CATEGORIES))


# A remembered answer: when it was read, the answer's facts, and its bytes once encoded:
# (at, kind, value, risk, categories, body). Only strings, numbers and bytes, so the
# collector stops tracking each entry (and its key) the first time it sees them: a full
# cache (100,000 answers) adds nothing to the collections whose pauses every request
# on the event loop waits out. Entries of dataclasses, lists and dicts added four
# tracked objects per cold check, which the full collections then walked.
_Remembered = tuple[float, str, str, str, tuple[str, ...], bytes | None]


def _answer(kind: str, value: str, risk: str, categories: tuple[str, ...]) -> CheckResult:
    """The answer `_assess` gives for these facts (built from the shared texts)."""
    reasons = [{"category": c, **CATEGORIES[c]} for c in categories]
    return CheckResult(kind, value, risk, LEVELS[risk], reasons, ADVICE)


class CheckCache:
    """The check's recent answers, kept for ``ttl_s`` seconds in this process.

    The answers are public knowledge built from reports and confirmed alerts, so half
    a minute's staleness (a number confirmed now shows as a scam within 30 s) is what
    a CDN in front of the service would give anyway; in return the busiest public
    route answers a repeated question without a query. Numbers that circulate (the
    ones many people check) are the ones answered from memory.
    Keys are the question as asked (kind and raw text), so a cached answer skips the
    identifier's parsing too. Bounded: the oldest answers leave first. Each process
    keeps its own (several ``scamnet serve`` processes stay stateless: at worst each
    asks the store once per ``ttl_s``). ``ttl_s`` 0 turns it off.
    """

    def __init__(self, ttl_s: float = 30.0, size: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.ttl_s, self.size, self.clock = ttl_s, size, clock
        self._answers: OrderedDict[tuple[str, str], _Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: str, raw: str) -> CheckResult | None:
        """The remembered answer, or None when there is none or it is too old."""
        found = self._answers.get((kind, raw))
        if found is None or self.clock() - found[0] >= self.ttl_s:
            return None
        return _answer(*found[1:5])

    def encoded(self, kind: str, raw: str, encode: Callable[[CheckResult], bytes]) -> bytes | None:
        """The remembered answer as ``encode`` writes it, encoded once per answer.

        Encoding an answer (a dataclass to JSON) costs more than the rest of sending a
        remembered one, so the bytes are kept with it; a race only encodes twice.
        """
        key = (kind, raw)
        found = self._answers.get(key)
        if found is None or self.clock() - found[0] >= self.ttl_s:
            return None
        body = found[5]
        if body is None:
            body = encode(_answer(*found[1:5]))
            with self._lock:
                if self._answers.get(key) is found:  # not replaced or dropped meanwhile
                    self._answers[key] = (*found[:5], body)
        return body

    def check(self, session: Session, kind: str, raw: str) -> CheckResult:
        """``check``, answered from memory when it was asked less than ``ttl_s`` ago."""
        known = self.get(kind, raw)
        if known is not None:
            return known
        return self._remember(kind, raw, check(session, kind, raw))

    def check_facts(self, reads: CheckFacts, kind: str, raw: str) -> CheckResult:
        """``check_facts``, answered from memory when it was asked less than ``ttl_s`` ago."""
        known = self.get(kind, raw)
        if known is not None:
            return known
        return self._remember(kind, raw, check_facts(reads, kind, raw))

    async def acheck_facts(self, reads: AsyncCheckFacts, kind: str, raw: str) -> CheckResult:
        """``acheck_facts``, answered from memory when asked less than ``ttl_s`` ago."""
        known = self.get(kind, raw)
        if known is not None:
            return known
        return self._remember(kind, raw, await acheck_facts(reads, kind, raw))

    def _remember(self, kind: str, raw: str, result: CheckResult) -> CheckResult:
        if self.ttl_s > 0:
            with self._lock:
                categories = tuple(r["category"] for r in result.reasons)
                self._answers[(kind, raw)] = (
                    self.clock(), result.kind, result.value, result.risk, categories, None,
                )  # fmt: skip
                self._answers.move_to_end((kind, raw))
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
        return result


@dataclass(frozen=True, slots=True)
class Receipt:
    reference: str
    filed_at: datetime


def _text(payload: dict[str, Any], key: str, limit: int) -> str | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidRecord(f"{key}: text of at most {limit} characters")
    return value.strip() or None


def file_report(session: Session, client: str, payload: dict[str, Any]) -> Receipt:
    """Store a victim's report (it seeds the network like every other report).

    At most ``REPORTS_PER_CLIENT`` per client per hour. The victim's own number is kept
    only if given, and never shown by the check.
    """
    if hit(session, f"report:{client}", REPORT_WINDOW) > REPORTS_PER_CLIENT:
        session.commit()  # the count must survive the refusal
        raise RateLimited("too many reports from this connection; try again later",
                          int(REPORT_WINDOW.total_seconds()))  # fmt: skip
    try:
        fraud = FraudType(str(payload.get("fraud_type", "")))
    except ValueError:
        raise InvalidRecord(f"fraud_type: one of {', '.join(FraudType)}") from None
    found: dict[str, str | None] = {}
    for field, kind in (("scammer_phone", "tel"), ("scammer_account", "acct"),
                        ("scammer_url", "url"), ("victim_phone", "tel")):  # fmt: skip
        raw = _text(payload, field, 300)
        found[field] = None
        if raw is not None:
            ident = parse_identifier(kind, raw)
            found[field] = ident.value
    if not (found["scammer_phone"] or found["scammer_account"] or found["scammer_url"]):
        raise InvalidRecord("name the scammer's phone number, account or URL")
    loss = _loss(payload.get("loss"))
    currency = _text(payload, "currency", 3)
    if currency is not None and not (currency.isalpha() and len(currency) == 3):
        raise InvalidRecord("currency: a three-letter ISO 4217 code such as CNY")
    now = datetime.now(UTC)
    reference = f"CIT-{now:%Y%m%d}-{secrets.token_hex(4).upper()}"
    row = {
        "report_id": reference, "filed_at": now, "bureau": "PUBLIC", "fraud_type": fraud.value,
        "loss": loss, "currency": currency.upper() if currency else None,
        "narrative": _text(payload, "narrative", MAX_NARRATIVE), "channel": "citizen", **found,
    }  # fmt: skip
    StoreSink(session).insert("reports", [row])
    return Receipt(reference, now)


def _loss(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        loss = Decimal(str(value))
    except InvalidOperation:
        raise InvalidRecord("loss: a number") from None
    if not loss.is_finite() or loss < 0 or loss > MAX_LOSS:
        raise InvalidRecord(f"loss: between 0 and {MAX_LOSS}")
    return loss.quantize(Decimal("0.01"))


__all__ = [
    "PUBLIC_KINDS", "CheckCache", "CheckFacts", "CheckResult", "Receipt", "check", "check_facts",
    "file_report",
]  # fmt: skip

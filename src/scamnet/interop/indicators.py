"""The confirmed scam indicators: identifiers victims reported (each report a sighting
by the bureau that took it) and the subjects of alerts an analyst confirmed.

Phone numbers, bank accounts, wallets and URLs are indicators as core parses them; a
URL's registrable domain is an indicator of its own, since campaigns rotate paths and
subdomains under one bought domain. Sources above the export's handling ceiling are
left out before anything is counted; an indicator's code is the strictest of its
remaining sources.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scamnet.core.alerts import subject_identifier
from scamnet.core.errors import InvalidIdentifier
from scamnet.core.handling import HandlingCode, strictest
from scamnet.core.identifiers import BankAccount, Identifier, Phone, Url, Wallet
from scamnet.interop.handling import admit, code_of
from scamnet.store.interop import InteropQueries


@dataclass(slots=True)
class Sighting:
    """Reports of one indicator taken by one bureau."""

    bureau: str
    count: int
    first: datetime
    last: datetime


@dataclass(slots=True)
class Indicator:
    kind: str  # tel, acct, wallet, url, domain
    value: str  # canonical (an IBAN, E.164, trx:T…, a normal URL, a domain)
    fraud_types: Counter[str] = field(default_factory=Counter)
    sightings: dict[str, Sighting] = field(default_factory=dict)
    confirmed_alerts: list[int] = field(default_factory=list)
    codes: list[HandlingCode] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def code(self) -> HandlingCode:
        return strictest(self.codes)

    @property
    def reports(self) -> int:
        return sum(s.count for s in self.sightings.values())

    @property
    def first_seen(self) -> datetime | None:
        return min((s.first for s in self.sightings.values()), default=None)

    @property
    def last_seen(self) -> datetime | None:
        return max((s.last for s in self.sightings.values()), default=None)

    def describe(self) -> str:
        parts = []
        if self.reports:
            types = ", ".join(t.replace("_", " ") for t, _n in self.fraud_types.most_common())
            parts.append(f"named in {self.reports} victim report(s) ({types})")
        if self.confirmed_alerts:
            parts.append(f"confirmed by an analyst on alert(s) {self.confirmed_alerts}")
        return "; ".join(parts)


@dataclass(slots=True)
class Indicators:
    found: list[Indicator]
    left_out: int  # source records above the ceiling


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _parsed(kind: str, raw: str | None) -> list[tuple[str, str]]:
    if not raw:
        return []
    try:
        if kind == "tel":
            return [("tel", Phone.parse(raw).value)]
        if kind == "account":
            ident: Identifier = (Wallet if Wallet.is_valid(raw) else BankAccount).parse(raw)
            return [(ident.kind, ident.value)]
        url = Url.parse(raw)
        return [("url", url.value), ("domain", url.domain)]
    except InvalidIdentifier:
        return []  # a stored value that no longer parses names nothing to share


def confirmed(queries: InteropQueries, ceiling: HandlingCode) -> Indicators:
    """Every confirmed indicator within ``ceiling``, in a stable order."""
    reports = admit(queries.reports(), ceiling)
    alerts = admit(queries.confirmed_alerts(), ceiling)
    found: dict[tuple[str, str], Indicator] = {}
    for r in reports.kept:
        at = _utc(r.filed_at)
        named = [
            *_parsed("tel", r.scammer_phone),
            *_parsed("account", r.scammer_account),
            *_parsed("url", r.scammer_url),
        ]
        for kind, value in named:
            ind = found.setdefault((kind, value), Indicator(kind, value))
            ind.fraud_types[r.fraud_type] += 1
            ind.codes.append(code_of(r))
            seen = ind.sightings.get(r.bureau)
            if seen is None:
                ind.sightings[r.bureau] = Sighting(r.bureau, 1, at, at)
            else:
                seen.count, seen.first, seen.last = (
                    seen.count + 1,
                    min(seen.first, at),
                    max(seen.last, at),
                )
    for a in alerts.kept:
        ident = subject_identifier(a.kind, a.subject)
        if ident is None:
            continue
        pairs = [(ident.kind, ident.value)]
        if isinstance(ident, Url):
            pairs.append(("domain", ident.domain))
        for kind, value in pairs:
            ind = found.setdefault((kind, value), Indicator(kind, value))
            ind.confirmed_alerts.append(a.id)
            ind.codes.append(code_of(a))
    ordered = [found[k] for k in sorted(found)]
    return Indicators(ordered, reports.left_out + alerts.left_out)

"""Confirmed scam indicators as one MISP event, built offline with pymisp's model.

Attribute types are MISP's standard ones: ``phone-number``, ``iban`` and
``bank-account-nr`` in the "Financial fraud" category; ``url`` and ``domain`` in
"Network activity" (MISP does not allow them in "Financial fraud"). MISP has
attribute types for Bitcoin (``btc``), Monero and Dash only, so TRON and Ethereum
wallets are ``coin-address`` objects (``address-crypto`` and ``symbol``), as MISP's
object templates prescribe. Each attribute is tagged with the TLP 2.0 label of its
handling code, the event with the strictest one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pymisp import MISPEvent, MISPObject

from scamnet.core.handling import HandlingCode, strictest
from scamnet.core.identifiers import BankAccount, Wallet
from scamnet.interop.indicators import Indicator

FINANCIAL = "Financial fraud"
NETWORK = "Network activity"
SYMBOLS = {"trx": "TRX", "eth": "ETH"}
# MISP's distribution levels: 0 your organisation only, 1 this community.
DISTRIBUTION = {HandlingCode.H0: 1, HandlingCode.H1: 1, HandlingCode.H2: 0, HandlingCode.H3: 0}


def _type(ind: Indicator) -> tuple[str, str]:
    if ind.kind == "tel":
        return "phone-number", FINANCIAL
    if ind.kind == "acct":
        return ("iban" if BankAccount(ind.value).is_iban else "bank-account-nr"), FINANCIAL
    return ind.kind, NETWORK  # url, domain


def event(indicators: list[Indicator], agency: str, today: date | None = None) -> MISPEvent:
    """The event: one attribute (or coin-address object) per indicator."""
    ev = MISPEvent()
    ev.info = f"scamnet: confirmed telephone and internet fraud indicators ({agency})"
    ev.date = today or datetime.now(UTC).date()
    ev.threat_level_id = 2  # medium
    ev.analysis = 2  # completed: each indicator is confirmed
    code = strictest([i.code for i in indicators])
    ev.distribution = DISTRIBUTION[code]
    ev.add_tag(code.tlp)
    for ind in indicators:
        comment = ind.describe()
        seen = {"first_seen": ind.first_seen, "last_seen": ind.last_seen}
        seen = {k: v for k, v in seen.items() if v is not None}
        if ind.kind == "wallet":
            wallet = Wallet(ind.value)
            obj = MISPObject("coin-address", strict=True)
            obj.comment = comment
            obj.add_attribute(
                "address-crypto", wallet.address, category=FINANCIAL, to_ids=True, comment=comment
            )
            obj.add_attribute("symbol", SYMBOLS[wallet.chain], category=FINANCIAL)
            for part in obj.attributes:
                part.add_tag(ind.code.tlp)
            ev.add_object(obj)
            continue
        kind, category = _type(ind)
        added = ev.add_attribute(
            kind,
            ind.value,
            category=category,
            to_ids=True,
            comment=comment,
            distribution=DISTRIBUTION[ind.code],
            **seen,
        )
        for attr in added if isinstance(added, list) else [added]:
            attr.add_tag(ind.code.tlp)
    return ev

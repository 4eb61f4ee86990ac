"""Money in explanations: the amount with its currency, as the reader's locale writes it.

"total received = 1.48e+05" says neither how much nor of what; "total received =
CN¥148,000.00" does (issue 14). Babel holds the CLDR rules: the symbol, where it
goes, the separators, and the currency's minor unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

DEFAULT_LOCALE = "en"
# The account detector's features that are sums of money (in the ledger's currency).
MONEY_FEATURES = frozenset(
    {"sum_in", "sum_out", "mean_in", "mean_out", "max_in", "max_out", "std_in", "std_out"}
)


def is_money(feature: str) -> bool:
    """Whether a feature (or its contacts' mean, ``nb_…``) is an amount of money."""
    return feature.removeprefix("nb_") in MONEY_FEATURES


def format_money(amount: float, currency: str | None, locale: str = DEFAULT_LOCALE) -> str:
    """``amount`` in ``currency`` (ISO 4217) for ``locale``; with no currency known,
    the amount with the locale's separators only.

    Args:
        amount: The sum.
        currency: Its ISO 4217 code, or None when the ledger does not say.
        locale: A CLDR locale such as ``en``, ``fr`` or ``zh_Hans_CN``.
    """
    # Imported here: only explanations of accounts need Babel's number data.
    from babel.numbers import format_currency, format_decimal

    if currency:
        # A code CLDR does not know is written as it came, in the currency's place.
        return format_currency(amount, currency.strip().upper(), locale=locale)
    return format_decimal(amount, format="#,##0.##", locale=locale)


def main_currency(accounts: Iterable[str], currencies: Iterable[str | None]) -> dict[str, str]:
    """Each account's currency: the one most of its transfers are in (ties: the first
    in alphabetical order), from parallel sequences of account and currency."""
    counts: dict[str, Counter[str]] = {}
    for account, currency in zip(accounts, currencies, strict=True):
        if currency:
            counts.setdefault(account, Counter())[currency.strip().upper()] += 1
    return {a: min(c, key=lambda k: (-c[k], k)) for a, c in counts.items()}

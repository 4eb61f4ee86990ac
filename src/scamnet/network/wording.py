"""Counts in the network's evidence, in English with the right number: "1 call",
"2 calls", "1 tier of command". The evidence is read by analysts and quoted in
case files, so "bridges 1 teams" is not good enough."""

from __future__ import annotations


def counted(n: float, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun agreeing with it, with thousands separators.

    Args:
        n: How many (a float holding a whole number is printed as one).
        singular: The noun (or noun phrase) for one.
        plural: Its plural, when adding "s" at the end is wrong ("tiers of command").
    """
    whole = int(n) if float(n).is_integer() else n
    if whole == 1:
        return f"1 {singular}"
    return f"{whole:,} {plural or singular + 's'}"

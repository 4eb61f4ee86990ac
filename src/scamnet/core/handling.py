"""Handling codes, after Europol SIENA's H0-H3: how far a record may travel.

Every record that holds personal or operational data carries one (case, suspect,
person, alert, group, bundle item). The code travels with the record: reads,
exports and the exchange check it, and a receiving instance keeps and enforces it.
"""

from __future__ import annotations

from enum import StrEnum


class HandlingCode(StrEnum):
    """Restrictions grow down the list."""

    H0 = "H0"  # for preventing and combating crime, no further restriction
    H1 = "H1"  # not evidence in court without the provider's consent
    H2 = "H2"  # not to be passed on beyond the receiving agency
    H3 = "H3"  # the owning agency only: never shared, never exported

    @property
    def rank(self) -> int:
        return int(self.value[1])

    def within(self, ceiling: HandlingCode) -> bool:
        """True when a record with this code may go where ``ceiling`` is the most allowed."""
        return self.rank <= ceiling.rank

    @property
    def shareable(self) -> bool:
        """True when the record may leave its agency at all (in a bundle or a share)."""
        return self is not HandlingCode.H3

    @property
    def onward(self) -> bool:
        """True when a receiving agency may pass the record on again."""
        return self.rank <= HandlingCode.H1.rank

    @property
    def tlp(self) -> str:
        """The Traffic Light Protocol 2.0 label for exports read by CERTs and MISP."""
        return _TLP[self]


DEFAULT_HANDLING = HandlingCode.H1  # operational data: shared with partners, not evidence

_TLP = {
    HandlingCode.H0: "tlp:green",
    HandlingCode.H1: "tlp:amber",
    HandlingCode.H2: "tlp:amber+strict",
    HandlingCode.H3: "tlp:red",
}


def parse_handling(text: str) -> HandlingCode:
    """``text`` as a code, case-insensitive; a clear ValueError otherwise."""
    try:
        return HandlingCode(text.strip().upper())
    except ValueError:
        raise ValueError(f"unknown handling code {text!r}; use H0, H1, H2 or H3") from None


def strictest(codes: list[HandlingCode]) -> HandlingCode:
    """The code of a record built from others: the most restrictive of them."""
    return max(codes, key=lambda c: c.rank, default=DEFAULT_HANDLING)

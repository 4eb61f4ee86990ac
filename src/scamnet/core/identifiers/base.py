"""The shape every identifier type shares: clean, validate, compare, graph key.

Modelled on followthemoney's property types: a type turns a raw string into one
canonical value, and the canonical value names the node in the graph, so that two
records that mention the same phone or device meet without extra code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Self

from scamnet.core.errors import InvalidIdentifier

MAX_RAW_LENGTH = 2048
"""Longer raw values are refused outright; no real identifier is that long."""


@dataclass(frozen=True, slots=True)
class Identifier(ABC):
    """A validated identifier holding its canonical value.

    Subclasses implement :meth:`clean`; construct through :meth:`parse`.
    Two identifiers are equal when their kinds and canonical values are equal.
    """

    kind: ClassVar[str]
    value: str

    @classmethod
    @abstractmethod
    def clean(cls, raw: str) -> str:
        """Return the canonical form of ``raw`` or raise :class:`InvalidIdentifier`."""

    @classmethod
    def parse(cls, raw: object) -> Self:
        """Validate ``raw`` and return the identifier in canonical form."""
        return cls(cls.clean(cls._as_text(raw)))

    @classmethod
    def is_valid(cls, raw: object) -> bool:
        """True when ``raw`` cleans without error."""
        try:
            cls.clean(cls._as_text(raw))
        except InvalidIdentifier:
            return False
        return True

    @classmethod
    def _as_text(cls, raw: object) -> str:
        if not isinstance(raw, str):
            raise InvalidIdentifier(cls.kind, raw, f"expected text, got {type(raw).__name__}")
        if len(raw) > MAX_RAW_LENGTH:
            raise InvalidIdentifier(cls.kind, raw[:40] + "…", "longer than any real identifier")
        if not raw.strip():
            raise InvalidIdentifier(cls.kind, raw, "empty")
        return raw

    @property
    def graph_key(self) -> str:
        """The node id of this identifier in the graph, such as ``tel:+8613800138000``."""
        return f"{self.kind}:{self.value}"

    def same_as(self, other: Identifier) -> bool:
        """True when both name the same real-world thing (same graph node)."""
        return self.graph_key == other.graph_key

    def __str__(self) -> str:
        return self.value


def strip_separators(raw: str, separators: str = " -./_\t") -> str:
    """Remove the spacing characters people put inside numbers."""
    return raw.translate({ord(c): None for c in separators}).strip()


def luhn_checksum_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by IMEIs and bank cards (ISO/IEC 7812-1)."""
    return luhn_check_digit(digits[:-1]) == int(digits[-1])


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right of the final number
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10

"""What is known of a person, as a query or a candidate for matching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Description:
    """What is known of a person: from a manifest line, a warrant, a query."""

    names: tuple[str, ...]
    birth_date: date | None = None
    documents: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()  # graph keys: phones, devices, accounts

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


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record naming a person: a person record of an agency, a warrant, a manifest line."""

    uid: str  # "person:CN-YN-LC:P000001", "warrant:W00001", "manifest:H-…#12"
    source: str
    name: str
    birth_date: date | None = None
    id_number: str | None = None
    passport: str | None = None
    phone: str | None = None

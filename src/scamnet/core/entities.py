"""People, groups, sites and agencies."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from scamnet.core.errors import InvalidRecord
from scamnet.core.identifiers import Identifier
from scamnet.core.roles import Role


class Script(StrEnum):
    """The writing system a name is given in."""

    HAN = "han"  # 汉字
    PINYIN = "pinyin"  # Hanyu Pinyin, with or without tones
    LATIN = "latin"  # any other Latin spelling (Wade–Giles, passports, typos)
    BURMESE = "burmese"

    @classmethod
    def detect(cls, text: str) -> Script:
        """Guess the script of ``text`` from its characters (pinyin reads as LATIN)."""
        for ch in text:
            if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
                return cls.HAN
            if "\u1000" <= ch <= "\u109f":
                return cls.BURMESE
        return cls.LATIN


@dataclass(frozen=True, slots=True)
class PersonName:
    """One written form of a person's name."""

    text: str
    script: Script

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise InvalidRecord("a name cannot be empty")
        if len(self.text) > 200:
            raise InvalidRecord("a name longer than 200 characters")
        if any(unicodedata.category(c) == "Cc" for c in self.text):
            raise InvalidRecord("a name cannot contain control characters")

    @classmethod
    def of(cls, text: str) -> PersonName:
        """A name whose script is detected from its characters."""
        return cls(text.strip(), Script.detect(text))


@dataclass(frozen=True, slots=True)
class Document:
    """An identity document: kind (``cn_id``, ``passport`` …), number and issuing country."""

    kind: str
    number: str
    country: str

    def __post_init__(self) -> None:
        if not self.number.strip() or not self.kind.strip():
            raise InvalidRecord("a document needs a kind and a number")
        _country(self.country)


def _country(code: str) -> None:
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        raise InvalidRecord(f"country {code!r} is not an ISO 3166 alpha-2 code")


@dataclass(slots=True)
class Person:
    """A human named in one or more scripts. Never guilty by record, only suspected."""

    names: list[PersonName]
    birth_date: date | None = None
    nationality: str | None = None
    documents: list[Document] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.names:
            raise InvalidRecord("a person needs at least one name")
        if self.nationality is not None:
            _country(self.nationality)

    @property
    def display_name(self) -> str:
        """The first name given, which sources put first."""
        return self.names[0].text


@dataclass(frozen=True, slots=True)
class Site:
    """A place a group works from (a compound or 'den'): known, simulated or estimated.

    An estimate from cell-site analysis carries its uncertainty radius, the share of
    the group's calls that placed it and the number of towers behind it.
    """

    lat: float
    lon: float
    radius_km: float | None
    country: str
    region: str = ""
    share: float | None = None  # of the group's calls from foreign and border cells
    cells: int = 0
    name: str = ""
    crossing: str = ""  # the border crossing its people are handed over at
    group_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not -90 <= self.lat <= 90 or not -180 <= self.lon <= 180:
            raise InvalidRecord(f"({self.lat}, {self.lon}) is not a position on Earth")
        if self.radius_km is not None and self.radius_km < 0:
            raise InvalidRecord("an uncertainty radius cannot be negative")
        if self.share is not None and not 0 <= self.share <= 1:
            raise InvalidRecord(f"a share of calls lies in [0, 1], got {self.share}")
        _country(self.country)


@dataclass(frozen=True, slots=True)
class GroupMember:
    """An identifier in a group, with its inferred role and how sure that is, in words.

    ``score`` ranks leadership within the group (1.0 for its top); ``confidence`` is
    the probability that the identifier belongs to the group at all, from the
    evidence named in ``evidence``. None means nobody assessed it.
    """

    node: str  # graph key: tel:…, imei:…, acct:…, wallet:…
    kind: str
    role: str
    score: float
    evidence: str
    confidence: float | None = None
    person_id: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLE_NAMES:
            raise InvalidRecord(f"role {self.role!r} is not one of {sorted(ROLE_NAMES)}")
        if self.confidence is not None and not 0 <= self.confidence <= 1:
            raise InvalidRecord(f"a confidence lies in [0, 1], got {self.confidence}")


ROLE_NAMES = frozenset(r.value for r in Role)


@dataclass(slots=True)
class Group:
    """A criminal organisation: named by an analyst, or found by network analysis.

    A found group is unnamed until the store names it; its members are identifiers
    (ringleaders first) and its sites are estimates.
    """

    members: list[GroupMember] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    name: str = ""
    aliases: list[str] = field(default_factory=list)
    origin: str = "manual"  # or "network"
    id: int | None = None

    def __post_init__(self) -> None:
        if self.origin == "manual" and not self.name.strip():
            raise InvalidRecord("a group needs a name")


@dataclass(frozen=True, slots=True)
class Membership:
    """A person's role in a group."""

    person_id: int
    group_id: int
    role: Role


class AgencyLevel(StrEnum):
    MINISTRY = "ministry"
    PROVINCIAL = "provincial"
    PREFECTURE = "prefecture"
    FOREIGN_PARTNER = "foreign_partner"


@dataclass(slots=True)
class Agency:
    """A law-enforcement body, placed in its hierarchy by its parent's code."""

    code: str
    name: str
    level: AgencyLevel
    country: str
    parent_code: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("-", "").replace("_", "").isalnum():
            raise InvalidRecord(f"agency code {self.code!r} must be letters, digits, - or _")
        if not self.name.strip():
            raise InvalidRecord("an agency needs a name")
        if self.parent_code == self.code:
            raise InvalidRecord("an agency cannot be its own parent")
        _country(self.country)

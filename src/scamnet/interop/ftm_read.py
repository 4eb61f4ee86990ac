"""FollowTheMoney entities read back as persons with their identifiers.

Works for scamnet's own exports and for any FtM source (an Aleph collection, an
OpenSanctions dataset): a ``Person``'s ``name``, ``alias`` and ``weakAlias`` become
its names; ``birthDate``, ``nationality``; documents from ``Identification`` and
``Passport`` entities held by it, else from its ``idNumber`` and ``passportNumber``;
identifiers from its ``phone`` and ``website`` and from the ``UserAccount``,
``BankAccount`` and ``CryptoWallet`` entities it owns or holds. A value that is no
valid identifier or date is skipped and counted, never guessed at.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from scamnet.core.entities import Document, Person, PersonName
from scamnet.core.errors import DomainError, InvalidIdentifier, InvalidRecord
from scamnet.core.identifiers import (
    BankAccount,
    ChatAccount,
    Identifier,
    Imei,
    IpAddress,
    Phone,
    Url,
    Wallet,
)
from scamnet.interop.ftm import SERVICES

_BY_SERVICE: dict[str, type[Identifier]] = {
    SERVICES["tel"]: Phone,
    SERVICES["imei"]: Imei,
    SERVICES["ip"]: IpAddress,
}


class UnreadableEntities(DomainError):
    """The file is not FollowTheMoney entities, one JSON object a line."""


@dataclass(slots=True)
class Read:
    """Persons found (keyed by their FtM id), every identifier in the file, and what
    was skipped, with the reason."""

    persons: dict[str, Person] = field(default_factory=dict)
    identifiers: set[str] = field(default_factory=set)  # graph keys
    skipped: list[str] = field(default_factory=list)


def parse_lines(lines: Iterable[str]) -> list[EntityProxy]:
    """Entities from JSON Lines, each checked against the FtM model."""
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            # As written: each value is checked by core below, and a bad one is reported.
            out.append(model.get_proxy(json.loads(line), cleaned=True))
        except (ValueError, InvalidData, KeyError, TypeError, AttributeError) as exc:
            text = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise UnreadableEntities(
                f"line {number}: not a FollowTheMoney entity ({text})"
            ) from None
    return out


def _identifier(entity: EntityProxy, read: Read) -> Identifier | None:
    schema = entity.schema.name
    values: list[tuple[type[Identifier], str]] = []
    if schema == "BankAccount":
        values = [(BankAccount, v) for v in entity.get("iban") or entity.get("accountNumber")]
    elif schema == "CryptoWallet":
        values = [(Wallet, v) for v in entity.get("publicKey") or entity.get("accountId")]
    elif schema == "UserAccount":
        service = (entity.first("service") or "").strip()
        cls = _BY_SERVICE.get(service) or (ChatAccount if service else None)
        raw = entity.get("phone") if cls is Phone else entity.get("username")
        if cls is ChatAccount:
            raw = [f"{service}:{v}" for v in raw]
        if cls is None and entity.get("phone"):
            cls, raw = Phone, entity.get("phone")
        values = [(cls, v) for v in raw] if cls is not None else []
    for ident_type, text in values[:1]:
        try:
            return ident_type.parse(text)
        except InvalidIdentifier as exc:
            read.skipped.append(f"{schema} {entity.id}: {exc}")
    return None


def _date(value: str | None, entity: EntityProxy, read: Read) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        read.skipped.append(f"Person {entity.id}: birth date {value!r} is not a full date")
        return None


def read_entities(entities: list[EntityProxy]) -> Read:
    """Persons with names, birth date, nationality, documents and identifiers."""
    read = Read()
    owned: dict[str, list[Identifier]] = defaultdict(list)
    documents: dict[str, list[Document]] = defaultdict(list)
    by_id = {e.id: e for e in entities if e.id}
    for e in entities:
        name = e.schema.name
        if name in ("BankAccount", "CryptoWallet", "UserAccount"):
            ident = _identifier(e, read)
            if ident is None:
                continue
            read.identifiers.add(ident.graph_key)
            for holder in e.get("holder", quiet=True) + e.get("owner", quiet=True):
                owned[holder].append(ident)
        elif name == "Ownership":
            asset = by_id.get(e.first("asset") or "")
            ident = _identifier(asset, read) if asset is not None else None
            if ident is not None:
                for owner in e.get("owner"):
                    owned[owner].append(ident)
        elif e.schema.is_a("Identification"):
            for holder in e.get("holder"):
                try:
                    kind = e.first("type") or ("passport" if name == "Passport" else "id")
                    documents[holder].append(
                        Document(kind, e.first("number") or "", (e.first("country") or "").upper())
                    )
                except InvalidRecord as exc:
                    read.skipped.append(f"{name} {e.id}: {exc}")
    for e in entities:
        if e.schema.name == "Person" and e.id:
            person = _person(e, owned[e.id], documents[e.id], read)
            if person is not None:
                read.persons[e.id] = person
    return read


def _person(
    e: EntityProxy, owned: list[Identifier], docs: list[Document], read: Read
) -> Person | None:
    texts = [*e.get("name"), *e.get("alias"), *e.get("weakAlias")]
    names = []
    for text in dict.fromkeys(t.strip() for t in texts if t.strip()):
        try:
            names.append(PersonName.of(text))
        except InvalidRecord as exc:
            read.skipped.append(f"Person {e.id}: {exc}")
    if not names:
        read.skipped.append(f"Person {e.id}: no usable name")
        return None
    code = (e.first("nationality") or e.first("country") or "").upper()
    nationality = code if len(code) == 2 and code.isalpha() else None  # not "SUHH"
    if not docs and nationality:  # a sanctions list gives the numbers on the person
        docs = [Document("passport", n, nationality) for n in e.get("passportNumber")]
        docs += [Document("id", n, nationality) for n in e.get("idNumber")]
    idents = list(owned)
    for raw, cls in [(v, Phone) for v in e.get("phone")] + [(v, Url) for v in e.get("website")]:
        try:
            idents.append(cls.parse(raw))
        except InvalidIdentifier as exc:
            read.skipped.append(f"Person {e.id}: {exc}")
    unique = list({i.graph_key: i for i in idents}.values())
    read.identifiers.update(i.graph_key for i in unique)
    try:
        return Person(
            names,
            _date(e.first("birthDate"), e, read),
            nationality,
            list(dict.fromkeys(docs)),
            unique,
        )
    except InvalidRecord as exc:
        read.skipped.append(f"Person {e.id}: {exc}")
        return None

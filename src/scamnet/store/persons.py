"""Persons with their names in several scripts, documents and identifiers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from scamnet.core.entities import Document, Person, PersonName, Script
from scamnet.core.handling import HandlingCode
from scamnet.core.identifiers import Identifier, parse_identifier
from scamnet.core.names import name_key, stored_forms
from scamnet.store.models import (
    DocumentRow,
    PersonIdentifierRow,
    PersonNameRow,
    PersonRow,
    WarrantRow,
)


class UnknownPerson(LookupError):
    """No person has that id."""


class PersonRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, person: Person) -> Person:
        row = PersonRow(
            birth_date=person.birth_date,
            nationality=person.nationality,
            created_at=datetime.now(UTC),
            names=[
                PersonNameRow(
                    position=i,
                    text=n.text,
                    script=n.script.value,
                    name_key=name_key(n.text),
                    name_forms=stored_forms(n.text),
                )
                for i, n in enumerate(person.names)
            ],
            documents=[
                DocumentRow(kind=d.kind, number=d.number, country=d.country)
                for d in person.documents
            ],
            identifiers=[_identifier_row(i) for i in _unique(person.identifiers)],
        )
        self.session.add(row)
        self.session.flush()
        person.id = row.id
        return person

    def add_identifier(self, person_id: int, identifier: Identifier) -> bool:
        """Record that the person uses ``identifier``; False if already known."""
        exists = self.session.scalar(
            select(PersonIdentifierRow.id).where(
                PersonIdentifierRow.person_id == person_id,
                PersonIdentifierRow.graph_key == identifier.graph_key,
            )
        )
        if exists is not None:
            return False
        row = _identifier_row(identifier)
        row.person_id = person_id
        self.session.add(row)
        self.session.flush()
        return True

    def get(self, person_id: int) -> Person:
        row = self.session.scalar(_loaded().where(PersonRow.id == person_id))
        if row is None:
            raise UnknownPerson(f"no person with id {person_id}")
        return _to_domain(row)

    def by_identifier(self, identifier: Identifier) -> list[Person]:
        """Every person known to use this identifier (same graph node)."""
        ids = select(PersonIdentifierRow.person_id).where(
            PersonIdentifierRow.graph_key == identifier.graph_key
        )
        rows = self.session.scalars(_loaded().where(PersonRow.id.in_(ids)).order_by(PersonRow.id))
        return [_to_domain(r) for r in rows]

    def by_document(self, kind: str, number: str, country: str) -> Person | None:
        pid = select(DocumentRow.person_id).where(
            DocumentRow.kind == kind, DocumentRow.number == number, DocumentRow.country == country
        )
        row = self.session.scalar(_loaded().where(PersonRow.id.in_(pid)))
        return _to_domain(row) if row else None

    def raise_handling(self, person_ids: set[int], code: HandlingCode) -> int:
        """Give these persons at least ``code`` (never a lower one); how many changed.

        The codes compare as text (H0 < H1 < H2 < H3), so one statement does it.
        """
        if not person_ids:
            return 0
        done = self.session.execute(
            update(PersonRow)
            .where(PersonRow.id.in_(sorted(person_ids)), PersonRow.handling < code.value)
            .values(handling=code.value)
        )
        return int(getattr(done, "rowcount", 0) or 0)

    def handling(self, person_id: int) -> HandlingCode:
        found = self.session.scalar(select(PersonRow.handling).where(PersonRow.id == person_id))
        if found is None:
            raise UnknownPerson(f"no person with id {person_id}")
        return HandlingCode(found)

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(PersonRow)) or 0

    def page(self, offset: int = 0, limit: int = 100) -> list[Person]:
        rows = self.session.scalars(_loaded().order_by(PersonRow.id).offset(offset).limit(limit))
        return [_to_domain(r) for r in rows]


def _loaded() -> Select[PersonRow]:
    return select(PersonRow).options(
        selectinload(PersonRow.names),
        selectinload(PersonRow.documents),
        selectinload(PersonRow.identifiers),
    )


def _unique(identifiers: list[Identifier]) -> list[Identifier]:
    seen: dict[str, Identifier] = {}
    for ident in identifiers:
        seen.setdefault(ident.graph_key, ident)
    return list(seen.values())


def _identifier_row(ident: Identifier) -> PersonIdentifierRow:
    return PersonIdentifierRow(kind=ident.kind, value=ident.value, graph_key=ident.graph_key)


def _to_domain(row: PersonRow) -> Person:
    return Person(
        names=[PersonName(n.text, Script(n.script)) for n in row.names],
        birth_date=row.birth_date,
        nationality=row.nationality,
        documents=[Document(d.kind, d.number, d.country) for d in row.documents],
        identifiers=[_parse_stored(i) for i in row.identifiers],
        id=row.id,
    )


def _parse_stored(row: PersonIdentifierRow) -> Identifier:
    return parse_identifier(row.kind, row.value)  # canonical values parse to themselves


def bulk_load(
    session: Session,
    people: list[tuple[int, str, date]],
    warrants: list[tuple[str, str, str, date]],
) -> None:
    """Load a large population fast (benchmarks, migrations from another system).

    ``people`` are (id, name in 汉字, birth date) with a resident id ``ID<id>``;
    ``warrants`` are (warrant id, agency, name, birth date). No matching, no audit:
    this is the store's bulk path, for data that is already clean.
    """
    now = datetime.now(UTC)
    session.execute(
        insert(PersonRow),
        [{"id": p, "birth_date": d, "nationality": "CN", "created_at": now} for p, _n, d in people],
    )
    session.execute(
        insert(PersonNameRow),
        [{"person_id": p, "position": 0, "text": n, "script": "han", "name_key": name_key(n),
          "name_forms": stored_forms(n)} for p, n, _d in people],
    )  # fmt: skip
    session.execute(
        insert(DocumentRow),
        [{"person_id": p, "kind": "cn_id", "number": f"ID{p:016d}", "country": "CN"}
         for p, _n, _d in people],
    )  # fmt: skip
    session.execute(
        insert(WarrantRow),
        [{"warrant_id": w, "issued_at": date(2022, 1, 1), "agency": a, "name": n, "birth_date": d}
         for w, a, n, d in warrants],
    )  # fmt: skip

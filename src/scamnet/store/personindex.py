"""What matching compares a description against: known persons and open warrants.

A manifest of 571 lines against 100,000 known persons needs only the few thousand
that share a block with one of its lines (a birth date, a document, an identifier,
a name's key), so :meth:`SqlPersonIndex.persons_sharing` asks the database for
those instead of reading everyone (issue 13). Each name's key is kept next to it
(``person_names.name_key``) when it is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.description import Description
from scamnet.store.models import (
    DocumentRow,
    ManifestEntryRow,
    PersonIdentifierRow,
    PersonNameRow,
    PersonRow,
    WarrantRow,
)

T = TypeVar("T")
# Values bound in one IN (...): under SQLite's oldest limit of 999 parameters.
CHUNK = 500

KnownPerson = tuple[int, Description, tuple[str | None, ...]]


class SqlPersonIndex:
    """Implements :class:`scamnet.cases.ports.PersonIndex`: what matching needs to know."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def persons(self) -> list[tuple[int, Description]]:
        """Every known person (the benchmarks compare matchers on all of them)."""
        names: dict[int, list[str]] = defaultdict(list)
        for pid, text in self.session.execute(
            select(PersonNameRow.person_id, PersonNameRow.text).order_by(PersonNameRow.position)
        ):
            names[pid].append(text)
        docs: dict[int, set[str]] = defaultdict(set)
        for pid, number in self.session.execute(select(DocumentRow.person_id, DocumentRow.number)):
            docs[pid].add(number)
        idents: dict[int, set[str]] = defaultdict(set)
        for pid, key in self.session.execute(
            select(PersonIdentifierRow.person_id, PersonIdentifierRow.graph_key)
        ):
            idents[pid].add(key)
        return [
            (pid, Description(tuple(names[pid]), born, frozenset(docs[pid]),
                              frozenset(idents[pid])))
            for pid, born in self.session.execute(select(PersonRow.id, PersonRow.birth_date))
        ]  # fmt: skip

    def name_keys(self) -> dict[str, str]:
        """Each known name's matching key as the store kept it when the name was written
        (names written before keys were kept have none, and are left out)."""
        rows = self.session.execute(
            select(PersonNameRow.text, PersonNameRow.name_key).where(
                PersonNameRow.name_key.is_not(None)
            )
        )
        return {text: key for text, key in rows if key is not None}

    def persons_sharing(
        self,
        birth_dates: Iterable[date],
        documents: Iterable[str],
        identifiers: Iterable[str],
        name_keys: Iterable[str],
    ) -> list[KnownPerson]:
        """The persons sharing at least one block with a query, each with its names'
        kept forms (:func:`scamnet.core.names.stored_forms`; ``None`` where a name has
        none yet: the caller computes them).

        A name without a kept key cannot be found by its key, so every person with
        such a name is returned too (none, once the 0013 migration has run).
        """
        found: set[int] = set()
        lookups: list[tuple[Any, Any, Iterable[Any]]] = [
            (PersonRow.id, PersonRow.birth_date, birth_dates),
            (DocumentRow.person_id, DocumentRow.number, documents),
            (PersonIdentifierRow.person_id, PersonIdentifierRow.graph_key, identifiers),
            (PersonNameRow.person_id, PersonNameRow.name_key, name_keys),
        ]
        for pid_column, column, values in lookups:
            for chunk in _chunks(sorted(set(values))):
                found.update(self.session.scalars(select(pid_column).where(column.in_(chunk))))
        found.update(
            self.session.scalars(
                select(PersonNameRow.person_id).where(PersonNameRow.name_key.is_(None))
            )
        )
        return self._described(sorted(found))

    def _described(self, pids: list[int]) -> list[KnownPerson]:
        names: dict[int, list[tuple[str, str | None]]] = defaultdict(list)  # text, forms
        docs: dict[int, set[str]] = defaultdict(set)
        idents: dict[int, set[str]] = defaultdict(set)
        born: dict[int, date | None] = {}
        for chunk in _chunks(pids):
            for pid, text, key in self.session.execute(
                select(PersonNameRow.person_id, PersonNameRow.text, PersonNameRow.name_forms)
                .where(PersonNameRow.person_id.in_(chunk))
                .order_by(PersonNameRow.position)
            ):
                names[pid].append((text, key))
            for pid, number in self.session.execute(
                select(DocumentRow.person_id, DocumentRow.number).where(
                    DocumentRow.person_id.in_(chunk)
                )
            ):
                docs[pid].add(number)
            for pid, key in self.session.execute(
                select(PersonIdentifierRow.person_id, PersonIdentifierRow.graph_key).where(
                    PersonIdentifierRow.person_id.in_(chunk)
                )
            ):
                idents[pid].add(key)
            for pid, birth_date in self.session.execute(
                select(PersonRow.id, PersonRow.birth_date).where(PersonRow.id.in_(chunk))
            ):
                born[pid] = birth_date
        return [
            (pid, Description(tuple(t for t, _k in names[pid]), born[pid],
                              frozenset(docs[pid]), frozenset(idents[pid])),
             tuple(k for _t, k in names[pid]))
            for pid in pids if pid in born
        ]  # fmt: skip

    def open_warrants(self) -> list[tuple[str, Description]]:
        """Warrants not yet executed by a handover."""
        executed = select(ManifestEntryRow.warrant_id).where(
            ManifestEntryRow.warrant_id.is_not(None)
        )
        out = []
        for w in self.session.scalars(
            select(WarrantRow).where(WarrantRow.warrant_id.not_in(executed))
        ):
            names = tuple(n for n in (w.name, w.pinyin) if n)
            documents = frozenset({w.id_number} if w.id_number else ())
            out.append((w.warrant_id, Description(names, w.birth_date, documents)))
        return out


def _chunks(values: list[T]) -> Iterator[list[T]]:
    for lo in range(0, len(values), CHUNK):
        yield values[lo : lo + CHUNK]

"""What the store knows of persons and open warrants, indexed for matching.

Matching every manifest line against every person would be quadratic; the
index hands each query only the candidates sharing a block: a birth date (or
its day/month swap), a document number, an identifier, or the name's key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.resolve.match import Candidate, Description, rank, swapped
from scamnet.resolve.names import name_forms
from scamnet.store.models import (
    DocumentRow,
    ManifestEntryRow,
    PersonIdentifierRow,
    PersonNameRow,
    PersonRow,
    WarrantRow,
)


class KnownIndex:
    def __init__(self) -> None:
        self.descriptions: dict[str, Description] = {}
        self._blocks: dict[str, set[str]] = defaultdict(set)

    def add(self, ref: str, desc: Description) -> None:
        self.descriptions[ref] = desc
        for key in _block_keys(desc, query=False):
            self._blocks[key].add(ref)

    def remove(self, ref: str) -> None:
        """Forget ``ref`` (a warrant once executed); its block entries are skipped."""
        self.descriptions.pop(ref, None)

    def candidates(self, query: Description, prefix: str = "", limit: int = 5) -> list[Candidate]:
        refs: set[str] = set()
        for key in _block_keys(query, query=True):
            refs |= self._blocks.get(key, set())
        pool = sorted(r for r in refs if r.startswith(prefix) and r in self.descriptions)
        return rank(query, ((r, self.descriptions[r]) for r in pool), limit)


def _block_keys(desc: Description, query: bool) -> Iterator[str]:
    if desc.birth_date:
        yield f"dob:{desc.birth_date}"
        other = swapped(desc.birth_date)
        if other and query:
            yield f"dob:{other}"
    for doc in desc.documents:
        yield f"doc:{doc}"
    for ident in desc.identifiers:
        yield f"id:{ident}"
    for name in desc.names:
        yield f"name:{name_forms(name).key}"


def load_known(session: Session) -> KnownIndex:
    """Every person (``person:ID``) and every warrant not yet executed (``warrant:ID``)."""
    names: dict[int, list[str]] = defaultdict(list)
    for pid, text in session.execute(
        select(PersonNameRow.person_id, PersonNameRow.text).order_by(PersonNameRow.position)
    ):
        names[pid].append(text)
    docs: dict[int, set[str]] = defaultdict(set)
    for pid, number in session.execute(select(DocumentRow.person_id, DocumentRow.number)):
        docs[pid].add(number)
    idents: dict[int, set[str]] = defaultdict(set)
    for pid, key in session.execute(
        select(PersonIdentifierRow.person_id, PersonIdentifierRow.graph_key)
    ):
        idents[pid].add(key)
    index = KnownIndex()
    for pid, born in session.execute(select(PersonRow.id, PersonRow.birth_date)):
        index.add(
            f"person:{pid}",
            Description(tuple(names[pid]), born, frozenset(docs[pid]), frozenset(idents[pid])),
        )
    executed = select(ManifestEntryRow.warrant_id).where(ManifestEntryRow.warrant_id.is_not(None))
    for w in session.scalars(select(WarrantRow).where(WarrantRow.warrant_id.not_in(executed))):
        warrant_names = tuple(n for n in (w.name, w.pinyin) if n)
        documents = frozenset({w.id_number} if w.id_number else ())
        index.add(f"warrant:{w.warrant_id}", Description(warrant_names, w.birth_date, documents))
    return index

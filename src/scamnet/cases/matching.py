"""Known persons and open warrants, indexed for matching a description against them.

Matching every manifest line against every person would be quadratic; the
index hands each query only the candidates sharing a block: a birth date (or
its day/month swap), a document number, an identifier, or the name's key.
The comparison itself is :func:`scamnet.resolve.match.rank`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from scamnet.cases.ports import PersonIndex
from scamnet.core.description import Description
from scamnet.resolve.match import Candidate, rank, swapped
from scamnet.resolve.names import name_forms


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

    def best_person(self, query: Description) -> Candidate | None:
        return next((c for c in self.candidates(query, "person:") if c.is_match), None)

    def best_warrant(self, query: Description) -> Candidate | None:
        return next((c for c in self.candidates(query, "warrant:") if c.is_match), None)


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


def load_known(index: PersonIndex) -> KnownIndex:
    """Every person (``person:ID``) and every warrant not yet executed (``warrant:ID``)."""
    known = KnownIndex()
    for pid, desc in index.persons():
        known.add(f"person:{pid}", desc)
    for warrant_id, desc in index.open_warrants():
        known.add(f"warrant:{warrant_id}", desc)
    return known

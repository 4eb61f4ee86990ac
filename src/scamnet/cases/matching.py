"""Known persons and open warrants, indexed for matching a description against them.

Matching every manifest line against every person would be quadratic; the
index hands each query only the candidates sharing a block: a birth date (or
its day/month swap), a document number, an identifier, or the name's key.
The comparison itself is :func:`scamnet.resolve.match.rank`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date

from scamnet.cases.ports import PersonIndex
from scamnet.core.description import Description
from scamnet.resolve.match import Candidate, rank, swapped
from scamnet.resolve.names import keep_forms, name_key


class KnownIndex:
    def __init__(self, name_keys: Mapping[str, str] | None = None) -> None:
        self.descriptions: dict[str, Description] = {}
        self._blocks: dict[str, set[str]] = defaultdict(set)
        # Keys the store kept with the names: romanising every known name again on
        # each import took most of its time. A name without one is romanised here.
        self._name_keys: dict[str, str] = dict(name_keys or {})

    def add(self, ref: str, desc: Description, kept_forms: Iterable[str | None] = ()) -> None:
        """Index ``desc`` as ``ref``; ``kept_forms`` are its names' forms as the store
        kept them (:func:`scamnet.core.names.stored_forms`), where it did."""
        for name, forms in zip(desc.names, kept_forms, strict=False):
            if forms is not None:
                keep_forms(name, forms)
        self.descriptions[ref] = desc
        for key in _block_keys(desc, query=False, name_keys=self._name_keys):
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


def _block_keys(
    desc: Description, query: bool, name_keys: Mapping[str, str] | None = None
) -> Iterator[str]:
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
        key = name_keys.get(name) if name_keys else None
        yield f"name:{name_key(name) if key is None else key}"


def load_known(index: PersonIndex, queries: Iterable[Description] | None = None) -> KnownIndex:
    """Every warrant not yet executed (``warrant:ID``), and the persons (``person:ID``)
    that share a block with one of ``queries``, or every person without ``queries``.

    The candidates a query is ranked against are the same either way: blocks are exact
    keys, and a person sharing none with any query is never one of them. Asking the
    store for those few is what lets a manifest meet 100,000 known persons quickly.
    """
    if queries is None:
        known = KnownIndex(index.name_keys())
        for pid, desc in index.persons():
            known.add(f"person:{pid}", desc)
    else:
        known = KnownIndex()
        blocks: dict[str, set[str]] = defaultdict(set)
        for query in queries:
            for key in _block_keys(query, query=True):
                kind, _, value = key.partition(":")
                blocks[kind].add(value)
        dates = {date.fromisoformat(d) for d in blocks["dob"]}
        for pid, desc, forms in index.persons_sharing(
            dates, blocks["doc"], blocks["id"], blocks["name"]
        ):
            known.add(f"person:{pid}", desc, forms)
    for warrant_id, desc in index.open_warrants():
        known.add(f"warrant:{warrant_id}", desc)
    return known

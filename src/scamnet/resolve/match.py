"""Query-by-example matching of one description of a person against known persons.

Each piece of evidence adds or removes weight in the Fellegi–Sunter manner:
log2 of how much likelier the observation is for the same person than for two
different ones. The weights are set from what the evidence means (a document
number is near-proof, a shared phone strong, a day/month swap a common clerical
error), and the sum becomes a probability against a prior of a random pair being
the same person. Every candidate carries its evidence in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from scamnet.core.description import Description
from scamnet.resolve.names import name_similarity

# log2 Bayes factors; the prior is a one-in-several-thousand chance that a
# candidate sharing a birth date or a document is the same person.
PRIOR = -12.0
W_DOCUMENT_SAME = 16.0
W_DOCUMENT_DIFFERENT = -8.0
W_IDENTIFIER = 10.0
W_DOB_SAME = 11.0
W_DOB_SWAPPED = 8.0
W_DOB_DIFFERENT = -10.0
NAME_LEVELS = (
    (0.999, 9.0, "same name"),
    (0.95, 7.0, "name spelled alike"),
    (0.88, 3.0, "similar name"),
    (0.0, -9.0, "different name"),
)
MATCH_THRESHOLD = 0.9


@dataclass(frozen=True, slots=True)
class Candidate:
    ref: str  # "person:12" or "warrant:W00001"
    probability: float
    weight: float
    evidence: tuple[str, ...] = field(default=())

    @property
    def is_match(self) -> bool:
        return self.probability >= MATCH_THRESHOLD


def swapped(d: date) -> date | None:
    """The date with day and month exchanged, when that is a different valid date."""
    if d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def compare(query: Description, known: Description) -> tuple[float, list[str]]:
    """The total weight of evidence that two descriptions are one person, with reasons."""
    weight, evidence = 0.0, []
    if query.documents and known.documents:
        shared = query.documents & known.documents
        if shared:
            weight += W_DOCUMENT_SAME
            evidence.append(f"same document number {sorted(shared)[0]}")
        elif _comparable_documents(query.documents, known.documents):
            weight += W_DOCUMENT_DIFFERENT
            evidence.append("different document numbers of the same kind")
    if query.identifiers & known.identifiers:
        weight += W_IDENTIFIER
        evidence.append(f"shares {sorted(query.identifiers & known.identifiers)[0]}")
    if query.birth_date and known.birth_date:
        if query.birth_date == known.birth_date:
            weight += W_DOB_SAME
            evidence.append(f"same birth date {known.birth_date}")
        elif swapped(query.birth_date) == known.birth_date:
            weight += W_DOB_SWAPPED
            evidence.append(
                f"birth date {query.birth_date} is {known.birth_date} with day and month swapped"
            )
        else:
            weight += W_DOB_DIFFERENT
            evidence.append(f"different birth dates ({query.birth_date} / {known.birth_date})")
    sim, best = _best_names(query.names, known.names)
    if best:
        level_weight, level = next((w, t) for cut, w, t in NAME_LEVELS if sim >= cut)
        weight += level_weight
        evidence.append(f"{level}: {best[0]} ~ {best[1]} ({sim:.2f})")
    return weight, evidence


def _comparable_documents(a: frozenset[str], b: frozenset[str]) -> bool:
    # Resident ID numbers (18 characters) and passports (a letter then digits) are
    # different kinds; only two of the same kind that differ speak against a match.
    return bool({len(x) for x in a} & {len(y) for y in b})


def _best_names(xs: tuple[str, ...], ys: tuple[str, ...]) -> tuple[float, tuple[str, str] | None]:
    best: tuple[float, tuple[str, str] | None] = (0.0, None)
    for x in xs:
        for y in ys:
            s = name_similarity(x, y)
            if best[1] is None or s > best[0]:
                best = (s, (x, y))
    return best


def probability(weight: float) -> float:
    return float(1.0 / (1.0 + 2.0 ** -(weight + PRIOR)))


def rank(
    query: Description, known: Iterable[tuple[str, Description]], limit: int = 5
) -> list[Candidate]:
    """The best candidates for ``query`` among ``known``, most likely first."""
    out = []
    for ref, desc in known:
        weight, evidence = compare(query, desc)
        out.append(Candidate(ref, probability(weight), weight, tuple(evidence)))
    out.sort(key=lambda c: (-c.weight, c.ref))
    return out[:limit]

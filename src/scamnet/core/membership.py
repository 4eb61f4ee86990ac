"""Who is a member: a group's identifiers split at the analyst's confidence threshold.

The confidences come from network analysis (`scamnet.network.membership`); the split is
a rule of due process (nobody is made a suspect on weak evidence), so it lives here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `scamnet case` reads MIN_CONFIDENCE at start-up
    from scamnet.core.entities import GroupMember

# Even odds: a member is more likely in the group than not.
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class MemberSplit:
    """A group's identifiers split at the analyst's threshold."""

    min_confidence: float
    members: list[GroupMember]
    to_review: list[GroupMember]

    def persons(self) -> dict[int, GroupMember]:
        """Persons known behind the members: each by their most confident identifier."""
        return _best_by_person(self.members)

    def persons_to_review(self) -> dict[int, GroupMember]:
        """Persons known only behind identifiers to review."""
        members = self.persons()
        return {p: m for p, m in _best_by_person(self.to_review).items() if p not in members}


def split(members: Iterable[GroupMember], min_confidence: float = MIN_CONFIDENCE) -> MemberSplit:
    """Members at or above ``min_confidence``, and the rest "to review".

    An identifier nobody assessed (confidence None, as in groups saved before
    confidences existed) is to review: it is never made a member by default.

    Raises:
        ValueError: when ``min_confidence`` is outside [0, 1].
    """
    if not 0 <= min_confidence <= 1:
        raise ValueError(f"a minimum confidence lies in [0, 1], got {min_confidence}")
    keep: list[GroupMember] = []
    review: list[GroupMember] = []
    for m in members:
        sure = m.confidence is not None and m.confidence >= min_confidence
        (keep if sure else review).append(m)
    return MemberSplit(min_confidence, keep, review)


def _best_by_person(members: list[GroupMember]) -> dict[int, GroupMember]:
    best: dict[int, GroupMember] = {}
    for m in members:
        if m.person_id is None:
            continue
        old = best.get(m.person_id)
        if old is None or (m.confidence or 0.0) > (old.confidence or 0.0):
            best[m.person_id] = m
    return best

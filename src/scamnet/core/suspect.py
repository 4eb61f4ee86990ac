"""The suspect lifecycle as a state machine.

A person under investigation moves from identified to wanted (a fugitive), is
located, detained abroad, requested, handed over at the border, held, charged,
and finally convicted or released. Deceased ends every path. The transition
table is the single source of truth; everything else asks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from scamnet.core.errors import IllegalTransition, InvalidRecord


class SuspectStatus(StrEnum):
    """Where a suspect stands. Nobody is guilty by record: every state is 'suspected'."""

    IDENTIFIED = "identified"
    WANTED = "wanted"
    LOCATED = "located"
    DETAINED_ABROAD = "detained_abroad"
    TRANSFER_REQUESTED = "transfer_requested"
    HANDED_OVER = "handed_over"
    IN_CUSTODY = "in_custody"
    CHARGED = "charged"
    CONVICTED = "convicted"
    RELEASED = "released"
    DECEASED = "deceased"

    def allowed_next(self) -> frozenset[SuspectStatus]:
        """The states this one may move to."""
        return _TRANSITIONS[self]

    def can_transition_to(self, new: SuspectStatus) -> bool:
        """True when the lifecycle allows going from this state to ``new``."""
        return new in _TRANSITIONS[self]

    def transition_to(self, new: SuspectStatus) -> SuspectStatus:
        """Return ``new`` if allowed, otherwise raise :class:`IllegalTransition`."""
        if not self.can_transition_to(new):
            raise IllegalTransition(
                self.value, new.value, sorted(s.value for s in self.allowed_next())
            )
        return new

    @property
    def is_terminal(self) -> bool:
        """True when no further change is possible."""
        return not _TRANSITIONS[self]

    @property
    def is_fugitive(self) -> bool:
        """A wanted suspect is a fugitive until located or arrested."""
        return self is SuspectStatus.WANTED


S = SuspectStatus
_TRANSITIONS: dict[SuspectStatus, frozenset[SuspectStatus]] = {
    # A warrant makes an identified person a fugitive; some are arrested at home at once.
    S.IDENTIFIED: frozenset({S.WANTED, S.LOCATED, S.DETAINED_ABROAD, S.IN_CUSTODY, S.DECEASED}),
    S.WANTED: frozenset({S.LOCATED, S.DETAINED_ABROAD, S.IN_CUSTODY, S.DECEASED}),
    # A located fugitive can slip away again, which puts them back on the wanted list.
    S.LOCATED: frozenset({S.WANTED, S.DETAINED_ABROAD, S.IN_CUSTODY, S.DECEASED}),
    # Batch handovers (Muse, 18 Nov 2023) often ran without a per-person request.
    S.DETAINED_ABROAD: frozenset({S.TRANSFER_REQUESTED, S.HANDED_OVER, S.RELEASED, S.DECEASED}),
    # A refused request leaves the person detained abroad.
    S.TRANSFER_REQUESTED: frozenset({S.HANDED_OVER, S.DETAINED_ABROAD, S.DECEASED}),
    S.HANDED_OVER: frozenset({S.IN_CUSTODY, S.DECEASED}),
    S.IN_CUSTODY: frozenset({S.CHARGED, S.RELEASED, S.DECEASED}),
    S.CHARGED: frozenset({S.CONVICTED, S.RELEASED, S.DECEASED}),
    S.CONVICTED: frozenset({S.RELEASED, S.DECEASED}),
    # A released person may be sought again on new evidence.
    S.RELEASED: frozenset({S.WANTED, S.DECEASED}),
    S.DECEASED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status change of one suspect, with who made it, when, and on what basis."""

    old: SuspectStatus | None
    new: SuspectStatus
    author: str
    at: datetime
    agency: str
    legal_basis: str

    def __post_init__(self) -> None:
        if not self.author.strip():
            raise InvalidRecord("a status change needs an author")
        if not self.legal_basis.strip():
            raise InvalidRecord("a status change needs its legal basis")
        if self.at.tzinfo is None:
            raise InvalidRecord("a status change time must carry its time zone")
        if self.old is not None:
            self.old.transition_to(self.new)

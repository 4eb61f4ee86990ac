"""Roles of members in a criminal group, ordered from the top of the hierarchy."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role. ``KEY_FIGURES`` are the ones the published statistics count."""

    MASTERMIND = "mastermind"
    ORGANISER = "organiser"
    KEY_MEMBER = "key_member"
    MEMBER = "member"
    RECRUITER = "recruiter"
    MONEY_MULE = "money_mule"

    @property
    def is_key_figure(self) -> bool:
        """Masterminds, organisers and key members: the '63 key figures' of the reference case."""
        return self in KEY_FIGURES

    @property
    def rank(self) -> int:
        """0 for the mastermind, larger further down the hierarchy."""
        return list(Role).index(self)


KEY_FIGURES = frozenset({Role.MASTERMIND, Role.ORGANISER, Role.KEY_MEMBER})

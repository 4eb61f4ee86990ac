"""Listing the cases an actor may read.

Its own module, asking only for the two ports it reads: `scamnet case list` runs it over
the light read path (`scamnet.store.lite`) as well as over the store's unit of work, and
importing the rest of the casework would cost that command its fast start.
"""

from __future__ import annotations

from typing import Protocol

from scamnet.core.access import Actor, Visibility
from scamnet.core.cases import CaseSummary


class _Visibilities(Protocol):
    def visibility(self, actor: Actor) -> Visibility: ...


class _Cases(Protocol):
    def cases(self) -> list[CaseSummary]: ...


class CaseListing(Protocol):
    """The part of a unit of work that listing cases reads."""

    @property
    def access(self) -> _Visibilities: ...
    @property
    def cases(self) -> _Cases: ...


def list_cases(uow: CaseListing, actor: Actor) -> list[CaseSummary]:
    """The cases the actor may read: its agencies', and those shared with it."""
    seen = uow.access.visibility(actor)
    return [c for c in uow.cases.cases() if seen.may_read(c.agency, c.handling)]

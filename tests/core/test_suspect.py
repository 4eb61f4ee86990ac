"""The suspect lifecycle: every pair of states is checked against the expected table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scamnet.core.errors import IllegalTransition, InvalidRecord
from scamnet.core.suspect import StatusChange
from scamnet.core.suspect import SuspectStatus as S

# Written out independently of the implementation, so a changed table fails here.
EXPECTED: dict[S, set[S]] = {
    S.IDENTIFIED: {S.WANTED, S.LOCATED, S.DETAINED_ABROAD, S.IN_CUSTODY, S.DECEASED},
    S.WANTED: {S.LOCATED, S.DETAINED_ABROAD, S.IN_CUSTODY, S.DECEASED},
    S.LOCATED: {S.WANTED, S.DETAINED_ABROAD, S.IN_CUSTODY, S.DECEASED},
    S.DETAINED_ABROAD: {S.TRANSFER_REQUESTED, S.HANDED_OVER, S.RELEASED, S.DECEASED},
    S.TRANSFER_REQUESTED: {S.HANDED_OVER, S.DETAINED_ABROAD, S.DECEASED},
    S.HANDED_OVER: {S.IN_CUSTODY, S.DECEASED},
    S.IN_CUSTODY: {S.CHARGED, S.RELEASED, S.DECEASED},
    S.CHARGED: {S.CONVICTED, S.RELEASED, S.DECEASED},
    S.CONVICTED: {S.RELEASED, S.DECEASED},
    S.RELEASED: {S.WANTED, S.DECEASED},
    S.DECEASED: set(),
}


@pytest.mark.parametrize("old", list(S))
@pytest.mark.parametrize("new", list(S))
def test_every_pair_of_states(old: S, new: S) -> None:
    allowed = new in EXPECTED[old]
    assert old.can_transition_to(new) is allowed
    if allowed:
        assert old.transition_to(new) is new
    else:
        with pytest.raises(IllegalTransition) as info:
            old.transition_to(new)
        assert repr(old.value) in str(info.value)
        assert repr(new.value) in str(info.value)


def test_deceased_is_terminal_and_only_terminal() -> None:
    assert [s for s in S if s.is_terminal] == [S.DECEASED]


def test_every_state_can_reach_deceased() -> None:
    assert all(S.DECEASED in s.allowed_next() for s in S if s is not S.DECEASED)


def test_error_lists_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition, match="allowed from 'handed_over': deceased, in_custody"):
        S.HANDED_OVER.transition_to(S.WANTED)


def test_only_wanted_is_fugitive() -> None:
    assert [s for s in S if s.is_fugitive] == [S.WANTED]


def test_status_change_needs_author_basis_and_legal_path() -> None:
    at = datetime(2023, 11, 18, 10, tzinfo=UTC)
    change = StatusChange(S.DETAINED_ABROAD, S.HANDED_OVER, "li.wei", at, "CN-YN-DH", "MLA 2023-17")
    assert change.new is S.HANDED_OVER
    with pytest.raises(IllegalTransition):
        StatusChange(S.DECEASED, S.IN_CUSTODY, "li.wei", at, "CN-YN-DH", "x")
    with pytest.raises(InvalidRecord, match="legal basis"):
        StatusChange(None, S.WANTED, "li.wei", at, "CN-YN-DH", " ")
    with pytest.raises(InvalidRecord, match="time zone"):
        StatusChange(None, S.WANTED, "li.wei", datetime(2023, 1, 1), "CN-YN-DH", "warrant 1")

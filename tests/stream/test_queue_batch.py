"""The dissuasion queue takes a group's contacts in one look-up and one insert, with the
rules of one contact at a time: repeated contacts counted on one item, a redelivered
record counted once, a closed item's record never queued again. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from scamnet.store import Store
from scamnet.store.dissuasion import Contact, DissuasionRepository, QueueItem, repeat_factor

T0 = datetime(2023, 10, 2, 13, 0, tzinfo=UTC)
AGENCY = "CN-YN-DH"
SCAM = "+959441394426"


def contact(key: str, victim: str, minutes: int, amount: str | None = None) -> Contact:
    return Contact(key, victim, SCAM, "call", T0 + timedelta(minutes=minutes), T0, 0.9,
                   "watchlist", "listed", "impersonate_authority",
                   Decimal(amount) if amount else None, "CNY" if amount else None,
                   2.0)  # fmt: skip


def items(store: Store) -> dict[str, QueueItem]:
    with store.session() as s:
        _, got = DissuasionRepository(s).page(frozenset({AGENCY}), None, 100, 0)
    return {i.victim: i for i in got}


def test_a_groups_contacts_are_queued_as_one_by_one(store: Store) -> None:
    first = [contact("k1", "+8613900000001", 1, "100"), contact("k2", "+8613900000001", 5, "50"),
             contact("k3", "+8613900000002", 2)]  # fmt: skip
    with store.session() as s:
        assert DissuasionRepository(s).enqueue(AGENCY, first) == 2
    got = items(store)
    one, two = got["+8613900000001"], got["+8613900000002"]
    assert (one.contacts, one.last_contact_at, one.amount) == (2, T0 + timedelta(minutes=5),
                                                               Decimal("150"))  # fmt: skip
    assert one.urgency == 2.0 * repeat_factor(2)
    assert (two.contacts, one.arrived_at) == (1, T0)

    # The same records again (a redelivered group): nothing created, nothing counted.
    with store.session() as s:
        assert DissuasionRepository(s).enqueue(AGENCY, first) == 0
    again = items(store)
    assert again["+8613900000001"].contacts == 2
    assert again["+8613900000002"].contacts == 1

    # A closed item's record is not queued again; a later call from the number is.
    with store.session() as s:
        DissuasionRepository(s).update(two.id, status="closed")
    with store.session() as s:
        repo = DissuasionRepository(s)
        assert repo.enqueue(AGENCY, [contact("k3", "+8613900000002", 2)]) == 0
        assert repo.enqueue(AGENCY, [contact("k4", "+8613900000002", 9),
                                     contact("k5", "+8613900000002", 12)]) == 1  # fmt: skip
    with store.session() as s:
        _, rows = DissuasionRepository(s).page(frozenset({AGENCY}), "open", 100, 0)
    reopened = [i for i in rows if i.victim == "+8613900000002"]
    assert [(i.contacts, i.contact_at) for i in reopened] == [(2, T0 + timedelta(minutes=9))]

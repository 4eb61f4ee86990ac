"""Partner keys through the use case the admin page calls: listed and registered by an
exchange administrator only, a malformed key refused with nothing stored."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from scamnet.core.access import Actor, UserRole
from scamnet.core.errors import InvalidRecord, NotAllowed
from scamnet.core.reference import reference_agencies
from scamnet.exchange.partners import list_partners, register_partner
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository

ADMIN = Actor("root", "CN-YN-DH", frozenset({UserRole.ADMIN}))
ANALYST = Actor("ana", "CN-YN-DH", frozenset({UserRole.ANALYST}))


def _key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def test_an_admin_registers_and_rotates_a_partner_key(store: Store) -> None:
    first, second = _key(), _key()
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        register_partner(s, ADMIN, "MM-MUSE", first)
        assert [(p.agency, p.public_key) for p in list_partners(s, ADMIN)] == [("MM-MUSE", first)]
        register_partner(s, ADMIN, "MM-MUSE", second)
        assert [p.public_key for p in list_partners(s, ADMIN)] == [second]


def test_a_malformed_key_or_a_non_admin_is_refused(store: Store) -> None:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        with pytest.raises(InvalidRecord, match="not an Ed25519 public key"):
            register_partner(s, ADMIN, "MM-MUSE", "not a key")
        with pytest.raises(NotAllowed):
            register_partner(s, ANALYST, "MM-MUSE", _key())
        with pytest.raises(NotAllowed):
            list_partners(s, ANALYST)
        assert list_partners(s, ADMIN) == []

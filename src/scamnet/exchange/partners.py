"""Partner agencies' public keys: listed and registered by an exchange administrator.

A key is exchanged out of band (and checked by phone); registering it makes the
partner's signed bundles acceptable here. The CLI's ``scamnet exchange register`` and
the admin page do the same through this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from scamnet.core.access import Actor, Permission
from scamnet.core.errors import InvalidRecord, NotAllowed
from scamnet.exchange.keys import decode_public
from scamnet.store.exchange import PartnerKeys


@dataclass(frozen=True, slots=True)
class Partner:
    agency: str
    public_key: str
    registered_at: datetime


def _require(actor: Actor) -> None:
    if not actor.may(Permission.EXCHANGE_ADMIN):
        raise NotAllowed(f"{actor.user!r} may not manage partner keys (exchange.admin)")


def list_partners(session: Session, actor: Actor) -> list[Partner]:
    """The partners whose bundles this instance accepts."""
    _require(actor)
    return [Partner(a, k, t) for a, k, t in PartnerKeys(session).all()]


def register_partner(session: Session, actor: Actor, agency: str, public_key: str) -> Partner:
    """Register (or rotate) a partner's key; a malformed key or unknown agency is refused."""
    _require(actor)
    key = public_key.strip()
    try:
        decode_public(key)
    except ValueError as exc:
        raise InvalidRecord(f"not an Ed25519 public key: {exc}") from None
    PartnerKeys(session).register(agency.strip(), key, actor.user)
    found = next(p for p in list_partners(session, actor) if p.agency == agency.strip())
    return found

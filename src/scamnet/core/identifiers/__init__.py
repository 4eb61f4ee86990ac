"""Identifier types: each cleans, validates, compares and names its graph node."""

from __future__ import annotations

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers.account import BankAccount
from scamnet.core.identifiers.base import Identifier
from scamnet.core.identifiers.chat import ChatAccount
from scamnet.core.identifiers.imei import Imei
from scamnet.core.identifiers.network import IpAddress, Url
from scamnet.core.identifiers.phone import Phone
from scamnet.core.identifiers.wallet import Wallet

IDENTIFIER_TYPES: dict[str, type[Identifier]] = {
    t.kind: t for t in (Phone, Imei, BankAccount, Wallet, Url, IpAddress, ChatAccount)
}
"""Every identifier type by its kind name (``tel``, ``imei``, ``acct`` …)."""


def parse_identifier(kind: str, raw: object) -> Identifier:
    """Parse ``raw`` as an identifier of ``kind``; raise InvalidIdentifier if it is not one."""
    try:
        cls = IDENTIFIER_TYPES[kind]
    except KeyError:
        raise InvalidIdentifier(
            kind, raw, f"unknown identifier kind; one of {sorted(IDENTIFIER_TYPES)}"
        ) from None
    return cls.parse(raw)


__all__ = [
    "IDENTIFIER_TYPES",
    "BankAccount",
    "ChatAccount",
    "Identifier",
    "Imei",
    "InvalidIdentifier",
    "IpAddress",
    "Phone",
    "Url",
    "Wallet",
    "parse_identifier",
]

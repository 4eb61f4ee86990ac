"""Crypto wallets: TRON (base58check, the usual USDT-TRC20 address) and Ethereum."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import ClassVar

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers.base import Identifier

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
TRON_PREFIX = 0x41  # mainnet address byte; base58 of 0x41 + 20 bytes starts with "T"


def b58decode(text: str) -> bytes:
    """Decode Bitcoin-style base58 (leading '1's are zero bytes)."""
    num = 0
    for ch in text:
        idx = B58_ALPHABET.find(ch)
        if idx < 0:
            raise ValueError(f"{ch!r} is not a base58 character")
        num = num * 58 + idx
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def b58encode(data: bytes) -> str:
    """Encode bytes as base58 (the inverse of :func:`b58decode`)."""
    num = int.from_bytes(data, "big")
    out = []
    while num:
        num, rem = divmod(num, 58)
        out.append(B58_ALPHABET[rem])
    pad = len(data) - len(data.lstrip(b"\x00"))
    return "1" * pad + "".join(reversed(out))


def double_sha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def tron_address(payload20: bytes) -> str:
    """The TRON address for a 20-byte account hash (used by the simulator and tests)."""
    raw = bytes([TRON_PREFIX]) + payload20
    return b58encode(raw + double_sha256(raw)[:4])


def eip55(address_hex: str) -> str:
    """EIP-55 mixed-case checksum encoding of a 40-hex-digit address (no 0x)."""
    lower = address_hex.lower()
    from Crypto.Hash import keccak  # on first use: commands without wallets skip it

    digest = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
    return "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch for i, ch in enumerate(lower)
    )


@dataclass(frozen=True, slots=True)
class Wallet(Identifier):
    """A crypto wallet address: ``trx:T…`` or ``eth:0x…`` (lower case)."""

    kind: ClassVar[str] = "wallet"

    @classmethod
    def clean(cls, raw: str) -> str:
        text = raw.strip()
        chain, sep, rest = text.partition(":")
        if sep and chain in ("trx", "eth"):  # already canonical: cleaning is idempotent
            text = rest
        if text.startswith("T"):
            return "trx:" + cls._clean_tron(raw, text)
        if text[:2].lower() == "0x":
            return "eth:0x" + cls._clean_eth(raw, text[2:])
        raise InvalidIdentifier(cls.kind, raw, "neither a TRON (T…) nor an Ethereum (0x…) address")

    @classmethod
    def _clean_tron(cls, raw: str, text: str) -> str:
        if len(text) != 34:
            raise InvalidIdentifier(
                cls.kind, raw, f"a TRON address has 34 characters, not {len(text)}"
            )
        try:
            data = b58decode(text)
        except ValueError as exc:
            raise InvalidIdentifier(cls.kind, raw, str(exc)) from None
        if len(data) != 25 or data[0] != TRON_PREFIX:
            raise InvalidIdentifier(cls.kind, raw, "not a TRON mainnet address")
        if double_sha256(data[:21])[:4] != data[21:]:
            raise InvalidIdentifier(cls.kind, raw, "the base58check checksum does not match")
        return text

    @classmethod
    def _clean_eth(cls, raw: str, hexpart: str) -> str:
        if len(hexpart) != 40 or any(c not in "0123456789abcdefABCDEF" for c in hexpart):
            raise InvalidIdentifier(cls.kind, raw, "an Ethereum address has 40 hex digits")
        mixed = hexpart != hexpart.lower() and hexpart != hexpart.upper()
        if mixed and eip55(hexpart) != hexpart:
            raise InvalidIdentifier(
                cls.kind, raw, "the EIP-55 checksum (letter case) does not match"
            )
        return hexpart.lower()

    @property
    def chain(self) -> str:
        """``trx`` or ``eth``."""
        return self.value.split(":", 1)[0]

    @property
    def address(self) -> str:
        """The address as written on its chain (Ethereum in EIP-55 case)."""
        chain, addr = self.value.split(":", 1)
        return "0x" + eip55(addr[2:]) if chain == "eth" else addr

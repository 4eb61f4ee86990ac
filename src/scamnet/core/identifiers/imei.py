"""Device identities: IMEI (14 or 15 digits, Luhn) and IMEISV (16 digits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers.base import (
    Identifier,
    luhn_check_digit,
    luhn_checksum_ok,
    strip_separators,
)


@dataclass(frozen=True, slots=True)
class Imei(Identifier):
    """A handset identity as the 15-digit IMEI with its Luhn check digit.

    Per 3GPP TS 23.003 the IMEI is TAC (8) + serial (6) + check digit, and the
    IMEISV is TAC + serial + a 2-digit software version. Both name the same
    device, so an IMEISV cleans to the IMEI of its first 14 digits.
    """

    kind: ClassVar[str] = "imei"

    @classmethod
    def clean(cls, raw: str) -> str:
        digits = strip_separators(raw)
        if not digits.isdigit() or not digits.isascii():
            raise InvalidIdentifier(cls.kind, raw, "an IMEI has digits only")
        if len(digits) == 14:
            return digits + str(luhn_check_digit(digits))
        if len(digits) == 15:
            if not luhn_checksum_ok(digits):
                raise InvalidIdentifier(cls.kind, raw, "the Luhn check digit does not match")
            return digits
        if len(digits) == 16:  # IMEISV: no check digit, the last two are the version
            body = digits[:14]
            return body + str(luhn_check_digit(body))
        raise InvalidIdentifier(
            cls.kind, raw, f"{len(digits)} digits; an IMEI has 14 or 15, an IMEISV 16"
        )

    @property
    def tac(self) -> str:
        """The type allocation code: which make and model of handset."""
        return self.value[:8]

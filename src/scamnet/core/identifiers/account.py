"""Bank accounts: domestic account or card numbers, and IBANs with their checksum."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import ClassVar

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers.base import Identifier, strip_separators

MIN_DIGITS = 6
MAX_DIGITS = 30


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616 mod-97 check: move the first four characters to the end, map letters
    to 10..35, and the number must leave remainder 1 when divided by 97."""
    rearranged = iban[4:] + iban[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


@dataclass(frozen=True, slots=True)
class BankAccount(Identifier):
    """A bank account: a run of digits, or an IBAN (upper case, no spaces)."""

    kind: ClassVar[str] = "acct"

    @classmethod
    def clean(cls, raw: str) -> str:
        text = strip_separators(raw).upper()
        if text[:2].isalpha():
            return cls._clean_iban(raw, text)
        if not text.isdigit() or not text.isascii():
            raise InvalidIdentifier(cls.kind, raw, "an account number has digits only")
        if not MIN_DIGITS <= len(text) <= MAX_DIGITS:
            raise InvalidIdentifier(
                cls.kind, raw, f"{len(text)} digits; expected {MIN_DIGITS} to {MAX_DIGITS}"
            )
        return text

    @classmethod
    def _clean_iban(cls, raw: str, text: str) -> str:
        allowed = set(string.ascii_uppercase + string.digits)
        if not set(text) <= allowed:
            raise InvalidIdentifier(cls.kind, raw, "an IBAN has letters and digits only")
        if not 15 <= len(text) <= 34 or not text[2:4].isdigit():
            raise InvalidIdentifier(cls.kind, raw, "not shaped like an IBAN")
        if not iban_checksum_ok(text):
            raise InvalidIdentifier(cls.kind, raw, "the IBAN checksum does not match")
        return text

    @property
    def is_iban(self) -> bool:
        """True for an IBAN, False for a domestic number."""
        return self.value[:2].isalpha()

"""Phone numbers, normalised to E.164 with Google's libphonenumber rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

import phonenumbers

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers.base import Identifier

DEFAULT_REGION = "CN"


@dataclass(frozen=True, slots=True)
class Phone(Identifier):
    """A phone number in E.164 form, e.g. ``+8613800138000``."""

    kind: ClassVar[str] = "tel"

    @classmethod
    def clean(cls, raw: str) -> str:
        return cls.clean_in(raw, DEFAULT_REGION)

    @classmethod
    def clean_in(cls, raw: str, region: str | None) -> str:
        """Canonical E.164 form of ``raw``, reading national numbers as in ``region``."""
        text = raw.strip()
        if text.startswith("00"):  # international prefix used in CN and most of Europe
            text = "+" + text[2:]
        try:
            number = phonenumbers.parse(text, None if text.startswith("+") else region)
        except phonenumbers.NumberParseException as exc:
            raise InvalidIdentifier(cls.kind, raw, f"not a phone number ({exc._msg})") from None
        if not phonenumbers.is_possible_number(number):
            raise InvalidIdentifier(cls.kind, raw, "wrong length for its country")
        if not phonenumbers.is_valid_number(number):
            raise InvalidIdentifier(cls.kind, raw, "not a valid number in its numbering plan")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @classmethod
    def parse_in(cls, raw: object, region: str | None) -> Self:
        """Like :meth:`parse`, with an explicit default region (ISO 3166 alpha-2)."""
        return cls(cls.clean_in(cls._as_text(raw), region))

    @property
    def country_code(self) -> int:
        """The international calling code, e.g. 86 for China, 95 for Myanmar."""
        code = phonenumbers.parse(self.value).country_code
        assert code is not None  # always set for a number parsed from E.164
        return code

    @property
    def region(self) -> str | None:
        """The ISO region the number belongs to, e.g. ``CN``."""
        return phonenumbers.region_code_for_number(phonenumbers.parse(self.value))

"""An analyst's verdict on an alert, and what the triage queue filters on."""

from __future__ import annotations

from enum import StrEnum

from scamnet.core.errors import InvalidRecord
from scamnet.core.identifiers import Identifier, InvalidIdentifier, parse_identifier


class AlertVerdict(StrEnum):
    CONFIRMED = "confirmed"  # the subject is a scam: a training label, a network seed
    FALSE_POSITIVE = "false_positive"  # refuted: no longer seeds the network
    NEEDS_REVIEW = "needs_review"  # undecided: someone else should look

    @classmethod
    def parse(cls, text: str) -> AlertVerdict:
        """Accept ``false-positive`` as well as ``false_positive``."""
        try:
            return cls(text.strip().lower().replace("-", "_"))
        except ValueError:
            shown = ", ".join(v.value.replace("_", "-") for v in cls)
            raise InvalidRecord(f"unknown verdict {text!r}; one of {shown}") from None

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class AlertStatus(StrEnum):
    """Where an alert stands in the queue: open until an analyst gives a verdict."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    NEEDS_REVIEW = "needs_review"


# Which identifier types an alert's subject can be, by the detector's kind.
SUBJECT_TYPES = {"subscriber": ("tel",), "account": ("acct", "wallet"), "url": ("url",)}


def subject_identifier(kind: str, subject: str) -> Identifier | None:
    """The identifier an alert is about (a message alert is about a record, not one)."""
    for type_kind in SUBJECT_TYPES.get(kind, ()):
        try:
            return parse_identifier(type_kind, subject)
        except InvalidIdentifier:
            continue
    return None

"""Known scam identifiers, matched on every arriving record, and how urgent a contact is.

The watch list is the union of partners' lists (``scamnet stream watch add``),
the numbers and accounts named by victims' reports, and the subjects of alerts an
analyst confirmed. It lives in memory, a dictionary lookup per record, and is
reloaded from the store every ``refresh_s`` seconds; reports pushed through the
stream are added at once.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from scamnet.store.dissuasion import Watched, WatchRepository

# Risk of an identifier by where it is known from. A confirmed alert keeps its score
# (at least STRONG); each further report halves what doubt is left.
STRONG = 0.9
LIST_RISK = 0.9


def risk_of(w: Watched) -> float:
    if w.source == "reports":
        return float(1.0 - 0.5 ** (w.weight + 2))  # one report 0.875, two 0.94, three 0.97
    if w.source == "confirmed alert":
        return max(STRONG, float(w.weight))
    return LIST_RISK


@dataclass(frozen=True, slots=True)
class Flag:
    """Why an identifier is watched."""

    source: str
    fraud_type: str
    risk: float
    reason: str


@dataclass
class Profile:
    """What a fraud type costs its victims, from the reports: how often a victim
    loses money (``paid_share``) and the median loss when they do."""

    paid_share: dict[str, float] = field(default_factory=dict)
    median_loss: dict[str, float] = field(default_factory=dict)

    def at_stake(self, fraud_type: str, amount: float | None) -> float:
        if amount is not None:
            return amount
        return self.median_loss.get(fraud_type, 0.0)

    def urgency(self, risk: float, fraud_type: str, amount: float | None) -> float:
        """Risk, times the order of magnitude of the money at stake, times how often
        this type of fraud ends in a loss (the victims it finds pay)."""
        stake = self.at_stake(fraud_type, amount)
        return round(risk * math.log10(10 + stake) * (0.5 + self.paid_share.get(fraud_type, 0.5)),
                     6)  # fmt: skip


class WatchList:
    """Identifier → why it is watched; reloaded from the store now and then."""

    def __init__(self, refresh_s: float = 30.0) -> None:
        self.refresh_s = refresh_s
        self.flags: dict[str, Flag] = {}
        self.profile = Profile()
        self._loaded = -math.inf

    def due(self) -> bool:
        return time.monotonic() - self._loaded >= self.refresh_s

    def load(self, session: Session) -> None:
        repo = WatchRepository(session)
        flags: dict[str, Flag] = {}
        for w in repo.listed() + repo.reported() + repo.confirmed():
            self._put(flags, w)
        self.flags = flags
        profile = Profile()
        for fraud_type, reports, paid, median in repo.loss_profile():
            profile.paid_share[fraud_type] = paid / reports if reports else 0.0
            profile.median_loss[fraud_type] = median
        self.profile = profile
        self._loaded = time.monotonic()

    def add(self, watched: list[Watched]) -> None:
        for w in watched:
            self._put(self.flags, w)

    @staticmethod
    def _put(flags: dict[str, Flag], w: Watched) -> None:
        risk = risk_of(w)
        known = flags.get(w.identifier)
        if known is not None and known.risk >= risk:
            return
        if w.source == "reports":
            reason = f"named by {int(w.weight)} victim report{'s' if w.weight > 1 else ''}"
        elif w.source == "confirmed alert":
            reason = "subject of a confirmed alert"
        else:
            reason = f"on the watch list {w.source.removeprefix('list:')}"
        fraud_type = w.fraud_type if known is None or w.fraud_type != "other" else known.fraud_type
        flags[w.identifier] = Flag(w.source, fraud_type, round(risk, 6), reason)

    def get(self, identifier: str | None) -> Flag | None:
        return self.flags.get(identifier) if identifier else None

    def __len__(self) -> int:
        return len(self.flags)

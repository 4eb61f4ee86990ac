"""Recording a detection run: its alerts stored, and the run audited.

Alerts name numbers and accounts, which are personal data: every run that stores
them is written to the audit log with the subjects it put on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from scamnet.store.alerts import Alert, AlertRepository
from scamnet.store.audit import AuditLog


@dataclass(frozen=True)
class Recorded:
    """What a run stored, and the strongest alerts of its window, to show."""

    kind: str
    stored: int
    new: int
    shown: list[Alert]


def record_alerts(session: Session, actor: str, alerts: list[Alert], kind: str, window: str,
                  top: int = 10) -> Recorded:  # fmt: skip
    """Store ``alerts`` of ``kind`` found over ``window`` (an alert already stored for the
    same subject, model and window is kept), and audit the run as ``actor``.

    Args:
        session: the unit of work; the caller commits it.
        actor: who ran the detection.
        alerts: what the model flagged.
        kind: subscriber, message, url or account.
        window: ``first/last`` days the alerts cover.
        top: how many of the window's strongest alerts to return for display.
    """
    repo = AlertRepository(session)
    added = repo.add_many(alerts)
    shown = repo.top(kind, top, window)
    AuditLog(session).append(actor, f"detect.{kind}", window, {
        "model": alerts[0].model if alerts else None, "alerts": len(alerts), "new": added,
        "shown": [a.subject for a in shown],
    })  # fmt: skip
    return Recorded(kind, len(alerts), added, shown)

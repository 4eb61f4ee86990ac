"""Alerts: scored findings with their explanations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.store.models import AlertRow
from scamnet.store.records import insert_ignoring_duplicates


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    subject: str
    score: float
    label: str
    model: str
    window: str
    explanation: str


class AlertRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, alerts: list[Alert]) -> int:
        """Store alerts; one already stored for the same subject, model and window is kept."""
        now = datetime.now(UTC)
        rows = [{"kind": a.kind, "subject": a.subject, "score": a.score, "label": a.label,
                 "model": a.model, "window": a.window, "explanation": a.explanation,
                 "created_at": now} for a in alerts]  # fmt: skip
        return insert_ignoring_duplicates(self.session, AlertRow.__table__, rows)

    def top(self, kind: str | None = None, limit: int = 10, window: str | None = None
            ) -> list[Alert]:  # fmt: skip
        query = select(AlertRow).order_by(AlertRow.score.desc(), AlertRow.id).limit(limit)
        if kind is not None:
            query = query.where(AlertRow.kind == kind)
        if window is not None:
            query = query.where(AlertRow.window == window)
        return [Alert(r.kind, r.subject, r.score, r.label, r.model, r.window, r.explanation)
                for r in self.session.scalars(query)]  # fmt: skip

"""Alerts: scored findings with their explanations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.store.alertpage import read_page
from scamnet.store.models import (
    AlertRow,
    AlertVerdictRow,
    GroupRow,
    PersonIdentifierRow,
    PersonNameRow,
)
from scamnet.store.records import insert_ignoring_duplicates
from scamnet.store.tables.network import GroupNodeRow


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


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    kind: str
    subject: str
    score: float
    label: str
    model: str
    window: str
    explanation: str
    created_at: datetime
    verdict: str | None
    assignee: str | None


@dataclass(frozen=True, slots=True)
class VerdictView:
    verdict: str
    note: str
    author: str
    agency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """Filters and order of the triage queue. ``status`` is open or a verdict."""

    kind: str | None = None
    min_score: float | None = None
    window: str | None = None
    status: str | None = None
    assignee: str | None = None
    group: int | None = None
    sort: str = "score"  # score, created or id
    descending: bool = True
    limit: int = 50
    offset: int = 0


class TriageRepository:
    """The alerts' triage queries: list, read, assign, record verdicts."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def page(self, q: AlertQuery) -> tuple[int, list[AlertView]]:
        # Columns, not entities: a page is read, never changed, and building 50 ORM
        # objects (identity map, instrumented state) was half an alert list's query time.
        # One statement compiled once per shape of query (`scamnet.store.alertpage`).
        total, rows = read_page(self.session.connection(), q)
        return total, [AlertView(*r) for r in rows]

    def get(self, alert_id: int) -> AlertView | None:
        row = self.session.get(AlertRow, alert_id)
        return _view(row) if row is not None else None

    def assign(self, alert_id: int, assignee: str | None) -> None:
        row = self.session.get(AlertRow, alert_id)
        assert row is not None
        row.assignee = assignee

    def add_verdict(self, alert_id: int, verdict: VerdictView) -> None:
        row = self.session.get(AlertRow, alert_id)
        assert row is not None
        row.verdict = verdict.verdict
        self.session.add(
            AlertVerdictRow(alert_id=alert_id, verdict=verdict.verdict, note=verdict.note,
                            author=verdict.author, agency=verdict.agency, at=verdict.at)
        )  # fmt: skip
        self.session.flush()

    def verdicts(self, alert_id: int) -> list[VerdictView]:
        rows = self.session.scalars(
            select(AlertVerdictRow)
            .where(AlertVerdictRow.alert_id == alert_id)
            .order_by(AlertVerdictRow.id)
        )
        return [VerdictView(r.verdict, r.note, r.author, r.agency, r.at) for r in rows]

    def labelled(self, kind: str) -> list[tuple[str, str]]:
        """(subject, verdict) of every alert of ``kind`` an analyst confirmed or refuted."""
        rows = self.session.execute(
            select(AlertRow.subject, AlertRow.verdict)
            .where(AlertRow.kind == kind, AlertRow.verdict.in_(("confirmed", "false_positive")))
            .order_by(AlertRow.id)
        )
        return [(str(s), str(v)) for s, v in rows]

    def persons_using(self, graph_key: str) -> list[tuple[int, str]]:
        """(person id, names joined) of the persons known to use an identifier."""
        pids = select(PersonIdentifierRow.person_id).where(
            PersonIdentifierRow.graph_key == graph_key
        )
        names: dict[int, list[str]] = {}
        for pid, text in self.session.execute(
            select(PersonNameRow.person_id, PersonNameRow.text)
            .where(PersonNameRow.person_id.in_(pids))
            .order_by(PersonNameRow.person_id, PersonNameRow.position)
        ):
            names.setdefault(pid, []).append(text)
        return [(pid, " / ".join(n)) for pid, n in sorted(names.items())]

    def groups_holding(self, graph_key: str) -> list[tuple[int, str, str, float]]:
        """(group id, group name, role, score) of the groups an identifier belongs to."""
        rows = self.session.execute(
            select(GroupNodeRow.group_id, GroupRow.name, GroupNodeRow.role, GroupNodeRow.score)
            .join(GroupRow, GroupRow.id == GroupNodeRow.group_id)
            .where(GroupNodeRow.node == graph_key)
            .order_by(GroupNodeRow.group_id)
        )
        return [(int(g), str(n), str(r), float(s)) for g, n, r, s in rows]


def _view(r: AlertRow) -> AlertView:
    return AlertView(r.id, r.kind, r.subject, r.score, r.label, r.model, r.window, r.explanation,
                     r.created_at, r.verdict, r.assignee)  # fmt: skip

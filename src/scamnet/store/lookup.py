"""What the store holds about one identifier: plain queries over indexed columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from scamnet.store.models import (
    AlertRow,
    GroupRow,
    PersonIdentifierRow,
    PersonNameRow,
    PersonSourceRow,
    VictimReportRow,
)
from scamnet.store.tables.network import GroupNodeRow
from scamnet.store.tables.resolution import ResolvedRecordRow


@dataclass(frozen=True, slots=True)
class AlertHit:
    id: int
    kind: str
    score: float
    label: str
    verdict: str | None
    handling: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReportHit:
    report_id: str
    filed_at: datetime
    fraud_type: str
    bureau: str


@dataclass(frozen=True, slots=True)
class GroupHit:
    group_id: int
    name: str
    role: str
    confidence: float | None
    handling: str


# Which report column and which alert kinds name an identifier of each kind.
_REPORT_COLUMN = {"tel": "scammer_phone", "acct": "scammer_account", "url": "scammer_url"}
_ALERT_KINDS = {"tel": ("subscriber",), "acct": ("account",), "url": ("url",)}


def alerts_about(session: Session, kind: str, value: str, domain: str | None) -> list[AlertHit]:
    kinds = _ALERT_KINDS.get(kind, ())
    if not kinds and kind != "tel":
        return []
    subjects = [value] + ([domain] if domain else [])
    cond = [AlertRow.kind.in_(kinds) & AlertRow.subject.in_(subjects)] if kinds else []
    if kind == "tel":  # a message alert's subject is "sender|sent at"
        cond.append((AlertRow.kind == "message") & AlertRow.subject.startswith(value + "|"))
    rows = session.scalars(select(AlertRow).where(or_(*cond)).order_by(AlertRow.score.desc()))
    return [
        AlertHit(r.id, r.kind, r.score, r.label, r.verdict, r.handling, r.created_at) for r in rows
    ]


def reports_about(session: Session, kind: str, value: str, domain: str | None) -> list[ReportHit]:
    column = _REPORT_COLUMN.get(kind)
    if column is None:
        return []
    col = getattr(VictimReportRow, column)
    cond = col == value
    if kind == "url" and domain:  # reports keep the URL as given; match its domain too
        cond = or_(cond, col.contains(domain))
    rows = session.scalars(select(VictimReportRow).where(cond).order_by(VictimReportRow.filed_at))
    return [ReportHit(r.report_id, r.filed_at, r.fraud_type, r.bureau) for r in rows]


def report_fraud_types(session: Session, kind: str, value: str) -> dict[str, int]:
    """Fraud types of the victim reports naming this identifier, counted (one indexed query)."""
    column = _REPORT_COLUMN.get(kind)
    if column is None:
        return {}
    col = getattr(VictimReportRow, column)
    rows = session.execute(
        select(VictimReportRow.fraud_type, func.count())
        .where(col == value)
        .group_by(VictimReportRow.fraud_type)
    ).all()
    return {t: int(n) for t, n in rows}


def confirmed_alert_labels(session: Session, kind: str, value: str) -> list[str]:
    """Labels of the alerts on this identifier that an analyst confirmed."""
    kinds = _ALERT_KINDS.get(kind)
    if not kinds:
        return []
    return list(session.scalars(
        select(AlertRow.label).where(
            AlertRow.kind.in_(kinds), AlertRow.subject == value, AlertRow.verdict == "confirmed"
        )
    ))  # fmt: skip


def persons_with(session: Session, graph_key: str) -> list[int]:
    found = session.scalars(
        select(PersonIdentifierRow.person_id).where(PersonIdentifierRow.graph_key == graph_key)
    )
    return sorted(set(found))


def groups_with(session: Session, graph_key: str) -> list[GroupHit]:
    rows = session.execute(
        select(GroupNodeRow.group_id, GroupRow.name, GroupNodeRow.role, GroupNodeRow.confidence,
               GroupRow.handling)
        .join(GroupRow, GroupRow.id == GroupNodeRow.group_id)
        .where(GroupNodeRow.node == graph_key)
    ).all()  # fmt: skip
    return [GroupHit(g, n, r, c, h) for g, n, r, c, h in rows]


@dataclass(frozen=True, slots=True)
class PersonHit:
    person_id: int
    names: list[str]
    resolved: str | None  # the resolved person (RP-…) a page can be opened on


def persons_named(session: Session, person_ids: list[int]) -> list[PersonHit]:
    """The persons' names (every script) and the resolved person each record joined."""
    if not person_ids:
        return []
    names: dict[int, list[str]] = {p: [] for p in person_ids}
    for pid, text in session.execute(
        select(PersonNameRow.person_id, PersonNameRow.text)
        .where(PersonNameRow.person_id.in_(person_ids))
        .order_by(PersonNameRow.person_id, PersonNameRow.position)
    ):
        names[pid].append(text)
    # A person record's resolution uid is "person:<agency>:<record id>" (store/resolution.py).
    uid = (
        literal("person:")
        + PersonSourceRow.source_agency
        + literal(":")
        + PersonSourceRow.record_id
    )
    resolved = dict(
        session.execute(
            select(PersonSourceRow.person_id, ResolvedRecordRow.cluster_id)
            .join(ResolvedRecordRow, ResolvedRecordRow.uid == uid)
            .where(PersonSourceRow.person_id.in_(person_ids))
        ).all()
    )
    return [PersonHit(p, names[p], resolved.get(p)) for p in person_ids]

"""Alert triage: the analyst's queue, one alert with what is known around it, assignment
and verdicts. A verdict is data: it removes a refuted alert from the network's seeds and
becomes a training label (`scamnet model train KIND --from-verdicts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.alerts import AlertStatus, AlertVerdict, subject_identifier
from scamnet.core.errors import InvalidRecord, NotFound
from scamnet.store.alerts import AlertQuery, AlertView, TriageRepository, VerdictView
from scamnet.store.audit import AuditLog, audit_read

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class AlertPage:
    total: int
    alerts: list[AlertView]


def list_alerts(session: Session, actor: Actor, query: AlertQuery) -> AlertPage:
    """A page of the queue. Alerts name numbers and accounts, so the listing is audited."""
    if not 1 <= query.limit <= MAX_PAGE:
        raise InvalidRecord(f"a page holds 1 to {MAX_PAGE} alerts")
    if query.offset < 0:
        raise InvalidRecord("the offset cannot be negative")
    if query.status is not None and query.status not in set(AlertStatus):
        shown = ", ".join(s.value for s in AlertStatus)
        raise InvalidRecord(f"unknown status {query.status!r}; one of {shown}")
    total, alerts = TriageRepository(session).page(query)
    audit_read(session, actor.user, "alerts.list", "alerts",
               {"agency": actor.agency, "shown": [a.id for a in alerts]})  # fmt: skip
    return AlertPage(total, alerts)


@dataclass(frozen=True, slots=True)
class AlertFile:
    """One alert with the reasons in words and what the store knows around its subject."""

    alert: AlertView
    identifier: str | None  # the subject's graph key, when it is an identifier
    persons: list[tuple[int, str]]  # persons known to use it
    groups: list[tuple[int, str, str, float]]  # groups holding it, with its role there
    verdicts: list[VerdictView]


def _alert(repo: TriageRepository, alert_id: int) -> AlertView:
    found = repo.get(alert_id)
    if found is None:
        raise NotFound(f"no alert {alert_id} (see `scamnet alerts list`)")
    return found


def show_alert(session: Session, actor: Actor, alert_id: int) -> AlertFile:
    """An alert and its context: an audited read of personal data."""
    repo = TriageRepository(session)
    alert = _alert(repo, alert_id)
    ident = subject_identifier(alert.kind, alert.subject)
    key = ident.graph_key if ident is not None else None
    persons = repo.persons_using(key) if key else []
    groups = repo.groups_holding(key) if key else []
    audit_read(session, actor.user, "alert.read", f"alert:{alert_id}",
               {"agency": actor.agency, "subject": alert.subject, "why": actor.why})  # fmt: skip
    return AlertFile(alert, key, persons, groups, repo.verdicts(alert_id))


def assign(session: Session, actor: Actor, alert_id: int, assignee: str | None) -> AlertView:
    """Give an alert to an analyst (or take it back with ``None``)."""
    repo = TriageRepository(session)
    _alert(repo, alert_id)
    who = assignee.strip() if assignee else None
    if who is not None and not 1 <= len(who) <= 64:
        raise InvalidRecord("an assignee is a user name of 1 to 64 characters")
    repo.assign(alert_id, who)
    AuditLog(session).append(actor.user, "alert.assign", f"alert:{alert_id}", {"to": who})
    return _alert(repo, alert_id)


def give_verdict(
    session: Session, actor: Actor, alert_id: int, verdict: AlertVerdict, note: str = ""
) -> AlertView:
    """Record an analyst's verdict; the latest one counts, every one is kept."""
    repo = TriageRepository(session)
    _alert(repo, alert_id)
    text = note.strip()
    if len(text) > 2000:
        raise InvalidRecord("a verdict's note holds at most 2,000 characters")
    repo.add_verdict(
        alert_id, VerdictView(verdict.value, text, actor.user, actor.agency, datetime.now(UTC))
    )
    detail = {"verdict": verdict.value, "note": text, "agency": actor.agency}
    AuditLog(session).append(actor.user, "alert.verdict", f"alert:{alert_id}", detail)
    return _alert(repo, alert_id)


def analyst_labels(session: Session, kind: str) -> dict[str, int]:
    """Subjects analysts confirmed (1) or refuted (0), for training on their verdicts."""
    return {
        subject: int(verdict == AlertVerdict.CONFIRMED.value)
        for subject, verdict in TriageRepository(session).labelled(kind)
    }

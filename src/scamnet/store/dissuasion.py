"""The dissuasion queue and the partners' watch lists: plain queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scamnet.store.models import AlertRow, CellRow, VictimReportRow
from scamnet.store.records import insert_ignoring_duplicates, insert_returning_count
from scamnet.store.tables.dissuasion import DissuasionRow, WatchIdentifierRow


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact of a potential victim by a flagged identifier, to be queued."""

    record_key: str
    victim: str
    contact: str
    channel: str
    at: datetime
    arrived_at: datetime
    risk: float
    source: str
    reason: str
    fraud_type: str
    amount: Decimal | None
    currency: str | None
    urgency_base: float  # the urgency of one contact; repeated contacts raise it


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    agency: str
    victim: str
    contact: str
    channel: str
    contact_at: datetime
    last_contact_at: datetime
    arrived_at: datetime
    queued_at: datetime
    risk: float
    source: str
    reason: str
    fraud_type: str
    amount: Decimal | None
    currency: str | None
    contacts: int
    urgency: float
    status: str
    taken_by: str | None
    taken_at: datetime | None
    outcome: str | None
    outcome_at: datetime | None
    prevented: Decimal | None
    note: str | None


def _item(r: DissuasionRow) -> QueueItem:
    return QueueItem(
        r.id, r.agency, r.victim, r.contact, r.channel, r.contact_at, r.last_contact_at,
        r.arrived_at, r.queued_at, r.risk, r.source, r.reason, r.fraud_type, r.amount,
        r.currency, r.contacts, r.urgency, r.status, r.taken_by, r.taken_at, r.outcome,
        r.outcome_at, r.prevented, r.note,
    )  # fmt: skip


def repeat_factor(contacts: int) -> float:
    """Each further contact by the same identifier adds half the urgency: a scammer who
    calls back is working on the person now."""
    return 1.0 + 0.5 * (contacts - 1)


class DissuasionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, agency: str, contacts: list[Contact]) -> int:
        """Queue each contact, or count it on the open item of the same victim and contact.

        A record already queued (its ``record_key``) changes nothing, and a contact no
        later than the item's last is not counted again: a redelivered batch neither
        doubles an item nor inflates its count. Returns the items created.

        The open items of the contacts' victims are read in one query and the new ones
        inserted in one statement (a query and an insert per person cost more than the
        rest of a group's scoring); contacts are applied in order, as one by one.
        """
        if not contacts:
            return 0
        now = datetime.now(UTC)
        open_items: dict[tuple[str, str], Any] = {}
        victims = sorted({c.victim for c in contacts})
        for i in range(0, len(victims), 500):
            rows = self.session.scalars(
                select(DissuasionRow).where(
                    DissuasionRow.victim.in_(victims[i : i + 500]),
                    DissuasionRow.status != "closed",
                ).order_by(DissuasionRow.id)
            )  # fmt: skip
            for found in rows:
                open_items.setdefault((found.victim, found.contact), found)
        fresh: dict[tuple[str, str], SimpleNamespace] = {}
        for c in contacts:
            row = open_items.get((c.victim, c.contact))
            if row is None:
                fresh[(c.victim, c.contact)] = open_items[(c.victim, c.contact)] = SimpleNamespace(
                    record_key=c.record_key, agency=agency, victim=c.victim,
                    contact=c.contact, channel=c.channel, contact_at=c.at,
                    last_contact_at=c.at, arrived_at=c.arrived_at, queued_at=now,
                    risk=c.risk, source=c.source, reason=c.reason,
                    fraud_type=c.fraud_type, amount=c.amount, currency=c.currency,
                    contacts=1, urgency=c.urgency_base, status="open",
                )  # fmt: skip
                continue
            if c.at <= row.last_contact_at or c.record_key == row.record_key:
                continue
            row.contacts += 1
            row.last_contact_at = c.at
            row.risk = max(row.risk, c.risk)
            if c.amount is not None:
                row.amount = (row.amount or Decimal(0)) + c.amount
                row.currency = row.currency or c.currency
            row.urgency = max(row.urgency, c.urgency_base) * repeat_factor(row.contacts) / \
                repeat_factor(row.contacts - 1)  # fmt: skip
        created = 0
        if fresh:
            # A record queued before whose item is closed is not queued again (its key).
            created = insert_returning_count(self.session, DissuasionRow.__table__,
                                             [vars(x) for x in fresh.values()])  # fmt: skip
        self.session.flush()
        return created

    def page(self, agencies: frozenset[str], status: str | None, limit: int, offset: int
             ) -> tuple[int, list[QueueItem]]:  # fmt: skip
        """Items of ``agencies``, most urgent first."""
        q = select(DissuasionRow).where(DissuasionRow.agency.in_(agencies))
        if status is not None:
            q = q.where(DissuasionRow.status == status)
        total = self.session.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = self.session.scalars(
            q.order_by(DissuasionRow.urgency.desc(), DissuasionRow.id).limit(limit).offset(offset)
        )
        return int(total), [_item(r) for r in rows]

    def get(self, item_id: int) -> QueueItem | None:
        row = self.session.get(DissuasionRow, item_id)
        return _item(row) if row is not None else None

    def update(self, item_id: int, **values: Any) -> QueueItem | None:
        row = self.session.get(DissuasionRow, item_id)
        if row is None:
            return None
        for name, value in values.items():
            setattr(row, name, value)
        self.session.flush()
        return _item(row)

    def outcomes(self, agencies: frozenset[str] | None = None
                 ) -> list[tuple[str, str | None, int, Decimal]]:  # fmt: skip
        """(status, outcome, items, money stopped) per status and outcome."""
        q = select(DissuasionRow.status, DissuasionRow.outcome, func.count(),
                   func.coalesce(func.sum(DissuasionRow.prevented), 0))  # fmt: skip
        if agencies is not None:
            q = q.where(DissuasionRow.agency.in_(agencies))
        rows = self.session.execute(q.group_by(DissuasionRow.status, DissuasionRow.outcome))
        return [(s, o, int(n), Decimal(str(p))) for s, o, n, p in rows]

    def all_record_keys(self) -> set[str]:
        return set(self.session.scalars(select(DissuasionRow.record_key)))


@dataclass(frozen=True, slots=True)
class Watched:
    identifier: str
    source: str
    fraud_type: str
    weight: float  # how many reports or lists name it, or the alert's score


class WatchRepository:
    """Where known scam identifiers come from: partners' lists, victims' reports,
    confirmed alerts."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, rows: list[dict[str, Any]]) -> int:
        return insert_ignoring_duplicates(self.session, WatchIdentifierRow.__table__, rows)

    def listed(self) -> list[Watched]:
        rows = self.session.execute(
            select(WatchIdentifierRow.identifier, WatchIdentifierRow.source,
                   WatchIdentifierRow.fraud_type)
        )  # fmt: skip
        return [Watched(i, f"list:{s}", t, 1.0) for i, s, t in rows]

    def reported(self) -> list[Watched]:
        """Numbers and accounts named by victims' reports, with how many reports name them."""
        out: list[Watched] = []
        for col in (VictimReportRow.scammer_phone, VictimReportRow.scammer_account):
            rows = self.session.execute(
                select(col, func.min(VictimReportRow.fraud_type), func.count())
                .where(col.is_not(None)).group_by(col)
            )  # fmt: skip
            out += [Watched(str(i), "reports", str(t), float(n)) for i, t, n in rows]
        return out

    def confirmed(self) -> list[Watched]:
        """Subjects of alerts an analyst confirmed, with the alert's score."""
        rows = self.session.execute(
            select(AlertRow.subject, func.max(AlertRow.score))
            .where(AlertRow.verdict == "confirmed").group_by(AlertRow.subject)
        )  # fmt: skip
        return [Watched(str(s), "confirmed alert", "other", float(v)) for s, v in rows]

    def cells(self) -> list[tuple[str, str | None, str | None, bool | None]]:
        """Every cell with its region, country and border flag (the features' reference)."""
        rows = self.session.execute(
            select(CellRow.cell_id, CellRow.region, CellRow.country, CellRow.border)
        )  # fmt: skip
        return [(c, r, k, b) for c, r, k, b in rows]

    def loss_profile(self) -> list[tuple[str, int, int, float]]:
        """Per fraud type: reports, reports with a loss, and the median loss of those."""
        rows = self.session.execute(
            select(VictimReportRow.fraud_type, VictimReportRow.loss)
        ).all()  # fmt: skip
        by_type: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        for t, loss in rows:
            counts[t] = counts.get(t, 0) + 1
            if loss is not None and loss > 0:
                by_type.setdefault(t, []).append(float(loss))
        out = []
        for t, n in counts.items():
            losses = sorted(by_type.get(t, []))
            median = losses[len(losses) // 2] if losses else 0.0
            out.append((t, n, len(losses), median))
        return out

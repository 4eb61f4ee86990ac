"""Persons transferred, key figures and fugitives, computed from handover records.

Nothing here is typed in: every figure is a count over manifest entries (and
operation outcomes). A person counts as a key figure when the giving side
declared them one, or when a case here holds them as mastermind, organiser or
key member; as a fugitive when an open warrant or a wanted status stood at the
moment of the handover, which the entry keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from scamnet.core.roles import KEY_FIGURES
from scamnet.store.models import HandoverBatchRow, ManifestEntryRow
from scamnet.store.tables.cases import SuspectRow
from scamnet.store.tables.dissuasion import DissuasionRow
from scamnet.store.tables.operations import OperationItemRow, OperationRow

# The press reports "masterminds, organisers or key members" as one figure.
UNSPLIT_KEY_FIGURE = "key_figure"
KEY_ROLES = sorted({r.value for r in KEY_FIGURES} | {UNSPLIT_KEY_FIGURE})
REMAINDER = "press_remainder"
# Batches loaded from published figures (report/press.py), not from manifests.
PUBLISHED = frozenset({"press", REMAINDER})


class Period(StrEnum):
    DAY = "day"
    MONTH = "month"
    BATCH = "batch"
    AGENCY = "agency"
    CROSSING = "crossing"


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    persons: int
    key_figures: int
    fugitives: int
    cumulative: int = 0


@dataclass(frozen=True, slots=True)
class Totals:
    as_of: date | None
    persons: int
    key_figures: int
    fugitives: int
    batches: int
    latest_batch: tuple[date, str, int] | None  # date, crossing, persons
    operations: int
    sites_closed: int
    persons_arrested: int
    # The dissuasion queue (docs/stream.md): people warned in time, payments stopped.
    warned: int = 0
    money_stopped: int = 0
    prevented: Decimal = Decimal(0)


def _is_key_figure() -> object:
    held_as_key = exists().where(
        SuspectRow.person_id == ManifestEntryRow.person_id, SuspectRow.role.in_(KEY_ROLES)
    )
    return case((or_(ManifestEntryRow.declared_role.in_(KEY_ROLES), held_as_key), 1), else_=0)


def _entries(as_of: date | None):  # type: ignore[no-untyped-def]
    key_col = _is_key_figure()
    query = select(
        HandoverBatchRow.batch_id,
        HandoverBatchRow.date,
        HandoverBatchRow.crossing,
        HandoverBatchRow.to_agency,
        HandoverBatchRow.source,
        func.count(ManifestEntryRow.id).label("persons"),
        func.coalesce(func.sum(key_col), 0).label("key_figures"),
        func.coalesce(func.sum(cast(ManifestEntryRow.fugitive, Integer)), 0).label("fugitives"),
    ).join(ManifestEntryRow, ManifestEntryRow.batch_id == HandoverBatchRow.batch_id)
    if as_of is not None:
        query = query.where(HandoverBatchRow.date <= as_of)
    return query.group_by(
        HandoverBatchRow.batch_id,
        HandoverBatchRow.date,
        HandoverBatchRow.crossing,
        HandoverBatchRow.to_agency,
        HandoverBatchRow.source,
    ).order_by(HandoverBatchRow.date, HandoverBatchRow.batch_id)


def breakdown(session: Session, period: Period, as_of: date | None = None) -> list[Row]:
    """Figures per day, month, batch, receiving agency or crossing; cumulative in date order."""
    return _grouped(list(session.execute(_entries(as_of))), period)


@dataclass(frozen=True, slots=True)
class Summary:
    """What the dashboard shows: all batches' totals and breakdowns, and the totals of
    the published (press) figures beside those of the handovers recorded here."""

    totals: Totals
    recorded: Totals
    published: Totals
    breakdowns: dict[Period, list[Row]]


def summary(session: Session, periods: tuple[Period, ...], as_of: date | None = None) -> Summary:
    """The totals and several breakdowns from one reading of the batches (the dashboard
    shows these views of the same rows on every load)."""
    batches = list(session.execute(_entries(as_of)))
    published = [r for r in batches if r.source in PUBLISHED]
    recorded = [r for r in batches if r.source not in PUBLISHED]
    return Summary(
        _totals(session, batches, as_of),
        _totals(session, recorded, as_of),
        _totals(session, published, as_of),
        {p: _grouped(batches, p) for p in periods},
    )


def _grouped(batches: list[Any], period: Period) -> list[Row]:
    groups: dict[str, list[int]] = {}
    for r in batches:
        key = {
            Period.DAY: r.date.isoformat(),
            Period.MONTH: r.date.strftime("%Y-%m"),
            Period.BATCH: r.batch_id,
            Period.AGENCY: r.to_agency,
            Period.CROSSING: r.crossing,
        }[period]
        acc = groups.setdefault(key, [0, 0, 0])
        acc[0] += r.persons
        acc[1] += int(r.key_figures)
        acc[2] += int(r.fugitives)
    rows, running = [], 0
    for key, (persons, key_figures, fugitives) in groups.items():
        running += persons
        rows.append(Row(key, persons, key_figures, fugitives, running))
    return rows


def totals(session: Session, as_of: date | None = None) -> Totals:
    return _totals(session, list(session.execute(_entries(as_of))), as_of)


def _totals(session: Session, batches: list[Any], as_of: date | None) -> Totals:
    # A remainder is the gap between a cumulative announcement and the itemised
    # batches, not a handover that happened on its date.
    itemised = [r for r in batches if r.source != REMAINDER]
    latest = max(itemised, key=lambda r: (r.date, r.batch_id), default=None)
    ops = select(func.count()).select_from(OperationRow)
    outcome = select(OperationItemRow.kind, func.count()).where(OperationItemRow.item == "outcome")
    if as_of is not None:
        ops = ops.where(OperationRow.started_on <= as_of)
        outcome = outcome.where(or_(OperationItemRow.on.is_(None), OperationItemRow.on <= as_of))
    outcomes = {k: c for k, c in session.execute(outcome.group_by(OperationItemRow.kind))}
    warned, stopped, prevented = _dissuasion(session, as_of)
    return Totals(
        as_of=as_of,
        persons=sum(r.persons for r in batches),
        key_figures=sum(int(r.key_figures) for r in batches),
        fugitives=sum(int(r.fugitives) for r in batches),
        batches=len(batches),
        latest_batch=(latest.date, latest.crossing, latest.persons) if latest else None,
        operations=session.scalar(ops) or 0,
        sites_closed=outcomes.get("site_closed", 0),
        persons_arrested=outcomes.get("person_arrested", 0),
        warned=warned,
        money_stopped=stopped,
        prevented=prevented,
    )


def _dissuasion(session: Session, as_of: date | None) -> tuple[int, int, Decimal]:
    """People warned (warned or money stopped), payments stopped, and the money kept."""
    q = select(DissuasionRow.outcome, func.count(),
               func.coalesce(func.sum(DissuasionRow.prevented), 0)).where(
        DissuasionRow.status == "closed",
        DissuasionRow.outcome.in_(("warned", "money_stopped")),
    )  # fmt: skip
    if as_of is not None:
        end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
        q = q.where(DissuasionRow.outcome_at < end)
    by = {
        o: (int(n), Decimal(str(p)))
        for o, n, p in session.execute(q.group_by(DissuasionRow.outcome))
    }
    warned, stopped = by.get("warned", (0, Decimal(0))), by.get("money_stopped", (0, Decimal(0)))
    return warned[0] + stopped[0], stopped[0], stopped[1]

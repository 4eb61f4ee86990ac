"""Statistics come from the records: the published 2023 figures must add back up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scamnet.cases import operations
from scamnet.cases.handovers import import_batch
from scamnet.core.access import Actor
from scamnet.core.cases import OutcomeKind, TargetKind
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.core.reference import reference_agencies
from scamnet.report.press import load_press, read_press
from scamnet.report.statistics import Period, breakdown, totals
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.uow import SqlUnitOfWork as Uow

DH = Actor("li.wei", "CN-YN-DH")
TESTER = Actor("test", "CN-YN")


@pytest.fixture
def press(store: Store, shared_data: Path) -> Store:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        load_press(
            Uow(s), Actor("test", "CN-YN"), read_press(shared_data / "press" / "handovers-2023.csv")
        )
    return store


def test_press_batches_reproduce(press: Store) -> None:
    with press.session() as s:
        rows = {r.key: r for r in breakdown(s, Period.DAY)}
    # Each reported batch, with its reported fugitives.
    assert rows["2023-09-03"].persons == 269
    assert (rows["2023-09-06"].persons, rows["2023-09-06"].fugitives) == (1207, 41)
    assert rows["2023-11-18"].persons == 571
    # 2023-10-14: a batch of 2,349 (111 fugitives) and 4,666 reported to date.
    assert rows["2023-10-14"].cumulative == 4666
    assert rows["2023-10-14"].fugitives == 111


def test_press_cumulative_figure_reproduces(press: Store) -> None:
    with press.session() as s:
        t = totals(s)
        before = totals(s, as_of=date(2023, 11, 20))
    assert (t.persons, t.key_figures, t.fugitives) == (31_000, 63, 1_531)
    assert before.persons == 4666 + 571
    # The latest itemised batch is Muse's, not the unitemised remainder.
    assert t.latest_batch == (date(2023, 11, 18), "Muse (Dehong border)", 571)


def test_loading_twice_changes_nothing(press: Store, shared_data: Path) -> None:
    with press.session() as s:
        again = load_press(
            Uow(s), Actor("test", "CN-YN"), read_press(shared_data / "press" / "handovers-2023.csv")
        )
        assert again == 0
        assert totals(s).persons == 31_000


def test_breakdowns_by_agency_crossing_and_month(store: Store) -> None:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        import_batch(
            Uow(s),
            DH,
            BatchHeader("A", date(2023, 10, 2), "Muse–Ruili", "MM-MUSE", "CN-YN-DH"),
            [
                ManifestLine(i, f"Zhou Xing{i}", role="organiser" if i == 1 else None)
                for i in range(1, 4)
            ],
        )
        import_batch(
            Uow(s),
            DH,
            BatchHeader("B", date(2023, 11, 5), "Qingshuihe", "MM-LAUKKAI", "CN-YN-LC"),
            [ManifestLine(1, "Wang Wei")],
        )
        by_agency = {r.key: r.persons for r in breakdown(s, Period.AGENCY)}
        by_month = {r.key: (r.persons, r.key_figures) for r in breakdown(s, Period.MONTH)}
        by_crossing = {r.key: r.persons for r in breakdown(s, Period.CROSSING)}
    assert by_agency == {"CN-YN-DH": 3, "CN-YN-LC": 1}
    assert by_month == {"2023-10": (3, 1), "2023-11": (1, 0)}
    assert by_crossing == {"Muse–Ruili": 3, "Qingshuihe": 1}


def test_operations_are_counted(store: Store) -> None:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        u = Uow(s)
        operations.create(u, DH, "Thunder", date(2023, 10, 1))
        operations.target(u, DH, "Thunder", TargetKind.SITE, "Laukkai compound 1")
        operations.outcome(
            u, DH, "Thunder", OutcomeKind.SITE_CLOSED, "Laukkai compound 1", date(2023, 10, 3)
        )
        operations.outcome(
            u, DH, "Thunder", OutcomeKind.PERSON_ARRESTED, "person:1", date(2023, 10, 3)
        )
        operations.outcome(
            u, DH, "Thunder", OutcomeKind.PERSON_ARRESTED, "person:2", date(2023, 10, 9)
        )
        t = totals(s)
        early = totals(s, as_of=date(2023, 10, 5))
    assert (t.operations, t.sites_closed, t.persons_arrested) == (1, 1, 2)
    assert early.persons_arrested == 1

"""The dashboard's summary: one reading of the batches gives the totals, the breakdowns,
and the published (press) figures apart from the recorded ones."""

from __future__ import annotations

from datetime import date

from scamnet.cases.handovers import import_batch
from scamnet.core.access import Actor
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.core.reference import reference_agencies
from scamnet.report.press import PressBatch, load_press
from scamnet.report.statistics import Period, breakdown, summary, totals
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.uow import SqlUnitOfWork as Uow

DH = Actor("li.wei", "CN-YN-DH")


def test_published_figures_stand_apart_from_the_recorded_ones(store: Store) -> None:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        import_batch(Uow(s), DH,
                     BatchHeader("A", date(2023, 10, 2), "Muse–Ruili", "MM-MUSE", "CN-YN-DH"),
                     [ManifestLine(i, f"Zhou Xing{i}", declared_fugitive=i == 1)
                      for i in range(1, 4)])  # fmt: skip
        published = PressBatch("PRESS-20231014-MUSE", date(2023, 10, 14), "Muse", "MM-MPF",
                               "CN-YN", 10, 2, 1, "press", "published figure: test")  # fmt: skip
        load_press(Uow(s), DH, [published])
        found = summary(s, (Period.DAY, Period.AGENCY))
        assert (found.recorded.persons, found.recorded.fugitives, found.recorded.batches) == (
            3, 1, 1)  # fmt: skip
        assert (found.published.persons, found.published.fugitives,
                found.published.key_figures, found.published.batches) == (10, 2, 1, 1)  # fmt: skip
        # The same figures as the one-view functions give.
        assert found.totals == totals(s)
        assert found.breakdowns[Period.DAY] == breakdown(s, Period.DAY)
        assert found.breakdowns[Period.AGENCY] == breakdown(s, Period.AGENCY)
        assert found.totals.persons == 13

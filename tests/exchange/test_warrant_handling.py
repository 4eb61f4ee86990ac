"""Warrants carry a handling code (migration 0018_warrant_handling), on SQLite and
PostgreSQL: existing warrants get H1 as every record did in 0012; an H3 warrant never
leaves in a wanted list and is not found by another agency's user; a received warrant
keeps at least the bundle's code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from scamnet.cases import suspects as cases
from scamnet.core.access import Actor
from scamnet.core.cases import CaseOrigin
from scamnet.core.errors import NotFound
from scamnet.core.reference import reference_agencies
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.exchange.bundle import BundleRefused
from scamnet.exchange.service import send_wanted
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.models import WarrantRow
from scamnet.store.persons import PersonRepository
from scamnet.store.uow import SqlUnitOfWork as Uow
from tests.exchange.test_bundles import Side
from tests.factories import person
from tests.support.postgres import PostgresServer

BEFORE = "0017"
REVISION = "0018_warrant_handling"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store with no schema at all, on each backend."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        store = Store(server.create_database(f"warrants_{tmp_path.name[-20:].lower()}"))
    yield store
    store.dispose()


def _columns(store: Store) -> set[str]:
    return {c["name"] for c in inspect(store.engine).get_columns("warrants")}


def test_the_migration_gives_existing_warrants_h1_and_goes_back(empty: Store) -> None:
    empty.upgrade(BEFORE)
    assert "handling" not in _columns(empty)
    with empty.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO warrants (warrant_id, issued_at, agency, name) "
            "VALUES ('W-OLD', '2022-03-01', 'CN-YN-DH', 'Ming Xuechang')"
        ))  # fmt: skip
    empty.upgrade()
    assert empty.current_revision() == REVISION == empty.head_revision()
    with empty.session() as s:
        assert s.scalar(select(WarrantRow.handling).where(WarrantRow.warrant_id == "W-OLD")) == "H1"
        s.add(WarrantRow(warrant_id="W-NEW", issued_at=date(2023, 1, 1), agency="CN-YN-DH",
                         name="Bai Suocheng"))  # fmt: skip
    with empty.session() as s:
        assert s.scalar(select(WarrantRow.handling).where(WarrantRow.warrant_id == "W-NEW")) == "H1"
    cfg = empty.alembic_config()
    with empty.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, BEFORE)
    assert "handling" not in _columns(empty) and empty.current_revision() == BEFORE
    with empty.engine.connect() as conn:  # the warrants themselves stay
        assert conn.execute(text("SELECT count(*) FROM warrants")).scalar() == 2


DH = Actor("li.wei", "CN-YN-DH")
LINCANG = Actor("wang", "CN-YN-LC", scope=frozenset({"CN-YN-LC"}))


def test_an_h3_warrant_is_not_found_outside_its_agency(store: Store) -> None:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        pid = PersonRepository(s).add(person()).id or 0
        ref = cases.open_case(Uow(s), LINCANG, "Lincang's case", CaseOrigin.MANUAL, None)
        sid = cases.add_suspect(Uow(s), LINCANG, ref.reference, pid, Role.MASTERMIND,
                                SuspectStatus.IDENTIFIED, "Criminal Law art. 266")  # fmt: skip
        s.add(WarrantRow(warrant_id="W-SECRET", issued_at=date(2023, 1, 1), agency="CN-YN-DH",
                         name="明学昌", handling="H3"))  # fmt: skip
        s.add(WarrantRow(warrant_id="W-OPEN", issued_at=date(2023, 1, 1), agency="CN-YN-DH",
                         name="明学昌", handling="H2"))  # fmt: skip
    with pytest.raises(NotFound, match="no warrant 'W-SECRET'"), store.session() as s:
        cases.issue_warrant(Uow(s), LINCANG, sid, "W-SECRET")
    with store.session() as s:
        assert (
            s.scalar(select(WarrantRow.person_id).where(WarrantRow.warrant_id == "W-SECRET"))
            is None
        )
        assert cases.issue_warrant(Uow(s), LINCANG, sid, "W-OPEN").status == "wanted"


def test_a_wanted_list_keeps_h3_home_and_carries_its_strictest_code(
    sides: tuple[Side, Side],
) -> None:
    dehong, muse = sides
    with dehong.store.session() as s:
        for wid, code in (("W1", "H0"), ("W2", "H2"), ("W3", "H3")):
            s.add(WarrantRow(warrant_id=wid, issued_at=date(2023, 1, 1), agency="CN-YN-DH",
                             name=f"Wanted {wid}", handling=code))  # fmt: skip
    with dehong.store.session() as s:
        bundle = send_wanted(s, dehong.me, "MM-MUSE")
    assert [w["warrant_id"] for w in bundle["payload"]["warrants"]] == ["W1", "W2"]
    assert bundle["handling"] == "H2"
    assert muse.receive(bundle).startswith("2 new warrants")
    with muse.store.session() as s:
        held = dict(s.execute(select(WarrantRow.warrant_id, WarrantRow.handling)).all())
    assert held == {"W1": "H2", "W2": "H2"}  # the bundle's code, never lower
    with dehong.store.session() as s:
        only_h0 = send_wanted(s, dehong.me, "MM-MUSE", ["W1"])
    assert only_h0["handling"] == "H1"  # at least the default
    with muse.store.session() as s:
        from scamnet.exchange.service import receive

        receive(s, muse.me, only_h0)
        assert s.scalar(select(WarrantRow.handling).where(WarrantRow.warrant_id == "W1")) == "H2"
    with pytest.raises(BundleRefused, match="W3 is H3"), dehong.store.session() as s:
        send_wanted(s, dehong.me, "MM-MUSE", ["W2", "W3"])

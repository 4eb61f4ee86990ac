"""The light read path (`scamnet.store.lite`) answers as the repositories do.

`scamnet case list` and every command's user lookup read through plain ``sqlite3`` for
a fast start; these tests ask both paths the same questions over one store.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from scamnet.cases import suspects as casework
from scamnet.cases.listing import list_cases
from scamnet.core.access import Actor, UserRole
from scamnet.core.cases import CaseOrigin
from scamnet.core.errors import NotAllowed, NotAuthenticated
from scamnet.core.handling import HandlingCode
from scamnet.core.reference import reference_agencies
from scamnet.core.suspect import SuspectStatus
from scamnet.security.acting import acting_user
from scamnet.security.sharing import grant
from scamnet.security.users import cli_actor
from scamnet.store import Store
from scamnet.store.access import descendants, visibility
from scamnet.store.agencies import AgencyRepository
from scamnet.store.cases import SqlCaseStore
from scamnet.store.lite import LiteStore
from scamnet.store.persons import PersonRepository
from scamnet.store.uow import SqlUnitOfWork
from scamnet.store.users import UserRepository
from tests.factories import person

PASSWORD = "correct horse battery staple"
ADMIN = Actor("root", "CN-MPS", frozenset({UserRole.ADMIN}), frozenset({"CN-MPS", "CN-YN"}))


@pytest.fixture
def filled(_filled_file: Path, tmp_path: Path) -> Store:
    """A file store with agencies, users, sharing rules and cases of every code: a
    private copy of one filled once for the module (five password hashes each time)."""
    shutil.copyfile(_filled_file, tmp_path / "scamnet.db")
    return Store(f"sqlite:///{tmp_path / 'scamnet.db'}")


@pytest.fixture(scope="module")
def _filled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lite-filled") / "scamnet.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        users = UserRepository(s)
        users.create("dh.analyst", PASSWORD, UserRole.ANALYST, agency_code="CN-YN-DH")
        users.create("yn.chief", PASSWORD, frozenset({UserRole.SUPERVISOR, UserRole.INVESTIGATOR}),
                     agency_code="CN-YN")  # fmt: skip
        users.create("muse.liaison", PASSWORD, UserRole.LIAISON, agency_code="MM-MUSE")
        users.create("gone", PASSWORD, UserRole.VIEWER, agency_code="CN-YN-LC")
        users.set_active("gone", False)
        users.create("nowhere", PASSWORD, UserRole.VIEWER)
        pid = PersonRepository(s).add(person()).id
        assert pid is not None
        uow = SqlUnitOfWork(s)
        cases = [("CN-YN-DH", "H1"), ("CN-YN-DH", "H3"), ("CN-YN-LC", "H2"), ("MM-MUSE", "H0"),
                 ("MM-MUSE", "H2"), ("CN-YN", "H1")]  # fmt: skip
        for n, (agency, code) in enumerate(cases):
            officer = Actor(f"officer{n}", agency, frozenset({UserRole.INVESTIGATOR}))
            ref = casework.open_case(uow, officer, f"case {n}", CaseOrigin.MANUAL, None).reference
            casework.add_suspect(uow, officer, ref, pid, None, SuspectStatus.WANTED, "art. 266")
            s.execute(text("UPDATE cases SET handling = :c WHERE reference = :r"),
                      {"c": code, "r": ref})  # fmt: skip
        muse = Actor("muse.admin", "MM-MUSE", frozenset({UserRole.ADMIN}), frozenset({"MM-MUSE"}))
        grant(s, muse, "MM-MUSE", "CN-YN-DH", HandlingCode.H1)
        grant(s, muse, "MM-MUSE", "CN-YN-DH", HandlingCode.H2)  # the widest rule counts
        dh = Actor("dh.admin", "CN-YN-DH", frozenset({UserRole.ADMIN}), frozenset({"CN-YN-DH"}))
        grant(s, dh, "CN-YN-DH", "MM-MUSE", HandlingCode.H0)
    store.dispose()
    # Closing the last connection folds the WAL into the file: the file is the store.
    assert not path.with_name("scamnet.db-wal").exists()
    return path


def test_it_answers_every_question_as_the_repositories_do(filled: Store) -> None:
    lite = LiteStore.open(filled.url)
    assert lite is not None
    try:
        with filled.session() as s:
            assert lite.cases.cases() == SqlCaseStore(s).cases()
            assert len(lite.cases.cases()) == 6
            users = UserRepository(s)
            assert lite.user_count() == users.count() == 5
            for name in ("dh.analyst", "yn.chief", "muse.liaison", "gone", "nowhere", "nobody"):
                full = users.get(name)
                light = lite.user(name)
                if full is None:
                    assert light is None
                    continue
                assert light is not None
                assert (light.username, light.agency_code, light.active, light.roles) == (
                    full.username, full.agency_code, full.active, full.roles)  # fmt: skip
            for agency in [a.code for a in AgencyRepository(s).all()] + ["NOT-AN-AGENCY"]:
                assert lite.descendants(agency) == descendants(s, agency)
            for name in ("dh.analyst", "yn.chief", "muse.liaison"):
                actor = cli_actor(s, name, None)
                assert acting_user(lite, name, None) == actor
                assert lite.access.visibility(actor) == visibility(s, actor)
                assert list_cases(lite, actor) == list_cases(SqlUnitOfWork(s), actor)
    finally:
        lite.close()


def test_the_rules_hold_on_the_light_path(filled: Store) -> None:
    lite = LiteStore.open(filled.url)
    assert lite is not None
    try:
        dh = acting_user(lite, "dh.analyst", None)
        # Its own cases of every code, and Muse's up to the shared H2; never Lincang's.
        seen = {(c.agency, c.handling) for c in list_cases(lite, dh)}
        assert seen == {("CN-YN-DH", "H1"), ("CN-YN-DH", "H3"), ("MM-MUSE", "H0"),
                        ("MM-MUSE", "H2")}  # fmt: skip
        chief = acting_user(lite, "yn.chief", None)
        assert {c.agency for c in list_cases(lite, chief)} == {"CN-YN", "CN-YN-DH", "CN-YN-LC"}
        muse = acting_user(lite, "muse.liaison", None)
        # Dali's H1 case is beyond the H0 that Dali shares; its H3 case never leaves.
        assert {(c.agency, c.handling) for c in list_cases(lite, muse)} == {
            ("MM-MUSE", "H0"), ("MM-MUSE", "H2")}  # fmt: skip
        with pytest.raises(NotAuthenticated, match="disabled"):
            acting_user(lite, "gone", None)
        with pytest.raises(NotAuthenticated, match="ask an admin"):
            acting_user(lite, "nobody", None)
        with pytest.raises(NotAllowed, match="acts for CN-YN-DH"):
            acting_user(lite, "dh.analyst", "CN-YN")
    finally:
        lite.close()


def test_only_a_current_sqlite_file_is_opened(tmp_path: Path, filled: Store) -> None:
    assert LiteStore.open("postgresql+psycopg://u@localhost/scamnet") is None
    assert LiteStore.open("sqlite://") is None
    assert LiteStore.open("sqlite:///:memory:") is None
    missing = tmp_path / "missing" / "scamnet.db"
    assert LiteStore.open(f"sqlite:///{missing}") is None
    assert not missing.exists()  # never created by a look
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert LiteStore.open(f"sqlite:///{empty}") is None  # no schema: the full path upgrades
    with filled.engine.begin() as conn:  # an older schema: the full path upgrades it first
        conn.execute(text("UPDATE alembic_version SET version_num = '0012'"))
    assert LiteStore.open(filled.url) is None


def test_case_list_starts_without_the_orm(filled: Store, tmp_path: Path) -> None:
    """The start-up promise, checked by what is imported (never by a clock)."""
    data_dir = Path(filled.url.removeprefix("sqlite:///")).parent
    probe = (
        "import sys\n"
        "from scamnet.cli.main import app\n"
        "try:\n"
        "    app(['case', 'list', '--json', '--user', 'dh.analyst', '--data-dir', sys.argv[1]])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'phonenumbers', 'numpy', 'alembic', 'pydantic') "
        "if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCAMNET_")}
    done = subprocess.run([sys.executable, "-c", probe, str(data_dir)], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert '"reference": "C-' in done.stdout
    assert "HEAVY []" in done.stdout

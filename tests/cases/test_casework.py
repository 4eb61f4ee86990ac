"""The casework use cases (cases, suspects, transfer requests, handovers, custody,
publications) over the store's unit of work, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from scamnet.cases import handovers, publications, transfers
from scamnet.cases import suspects as cases
from scamnet.cases.handovers import BatchConflict
from scamnet.cases.listing import list_cases
from scamnet.core.access import Actor
from scamnet.core.cases import CaseOrigin, CustodyEvent, IllegalRequestChange, TransferStatus
from scamnet.core.entities import Group, Membership
from scamnet.core.errors import IllegalTransition, InvalidRecord, NotAllowed, NotFound
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.core.reference import reference_agencies
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.audit import AuditLog
from scamnet.store.groups import GroupRepository
from scamnet.store.models import WarrantRow
from scamnet.store.persons import PersonRepository
from scamnet.store.tables.cases import StatusChangeRow
from scamnet.store.uow import SqlUnitOfWork as Uow
from tests.factories import person

DH = Actor("li.wei", "CN-YN-DH")
# The province is above its bureaus: its scope holds them (as a logged-in user's would).
YUNNAN = Actor("zhao", "CN-YN", scope=frozenset({"CN-YN", "CN-YN-DH", "CN-YN-LC"}))
LINCANG = Actor("wang", "CN-YN-LC", scope=frozenset({"CN-YN-LC"}))


@pytest.fixture
def loaded(store: Store) -> Store:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
    return store


def _case_with_suspect(store: Store) -> tuple[str, int, int]:
    with store.session() as s:
        pid = PersonRepository(s).add(person()).id or 0
        ref = cases.open_case(Uow(s), DH, "Ming family network", CaseOrigin.MANUAL, None).reference
        sid = cases.add_suspect(
            Uow(s), DH, ref, pid, Role.MASTERMIND, SuspectStatus.IDENTIFIED, "Criminal Law art. 266"
        )
    return ref, pid, sid


def test_case_from_a_group_takes_its_members_as_suspects(loaded: Store) -> None:
    with loaded.session() as s:
        a = PersonRepository(s).add(person()).id or 0
        b = PersonRepository(s).add(person("白所成", "Bai Suocheng", "13900139000", "1")).id or 0
        g = GroupRepository(s).add(Group(name="Ming family"))
        GroupRepository(s).set_role(Membership(a, g.id or 0, Role.MASTERMIND))
        GroupRepository(s).set_role(Membership(b, g.id or 0, Role.MONEY_MULE))
        ref = cases.open_case(Uow(s), DH, "Ming family", CaseOrigin.GROUP, str(g.id)).reference
    with loaded.session() as s:
        suspects = cases.suspects(Uow(s), DH, ref)
    assert {(x.person_id, x.role, x.status) for x in suspects} == {
        (a, "mastermind", "identified"),
        (b, "money_mule", "identified"),
    }


def test_a_case_needs_an_existing_origin(loaded: Store) -> None:
    with pytest.raises(NotFound, match="no group '999'"), loaded.session() as s:
        cases.open_case(Uow(s), DH, "x", CaseOrigin.GROUP, "999")
    with pytest.raises(NotFound, match="no report"), loaded.session() as s:
        cases.open_case(Uow(s), DH, "x", CaseOrigin.REPORT, "R-NOPE")


def test_status_changes_record_who_when_which_agency_and_basis(loaded: Store) -> None:
    _ref, _pid, sid = _case_with_suspect(loaded)
    with loaded.session() as s:
        s.add(
            WarrantRow(
                warrant_id="W1", issued_at=date(2023, 1, 1), agency="CN-YN-DH", name="明学昌"
            )
        )
    with loaded.session() as s:
        view = cases.issue_warrant(Uow(s), DH, sid, "W1")
        assert view.status == "wanted"  # a warrant makes a suspect a fugitive
        cases.change_status(Uow(s), YUNNAN, sid, SuspectStatus.LOCATED, "intelligence report 17")
        # A bureau beside Dehong may not move Dehong's suspect, and is told nothing more.
        with pytest.raises(NotFound):
            cases.change_status(Uow(s), LINCANG, sid, SuspectStatus.DETAINED_ABROAD, "x")
    with loaded.session() as s:
        history = cases.history(Uow(s), sid)
        assert [(h.from_status, h.to_status) for h in history] == [
            (None, "identified"),
            ("identified", "wanted"),
            ("wanted", "located"),
        ]
        assert (history[1].author, history[1].agency, history[1].legal_basis) == (
            "li.wei",
            "CN-YN-DH",
            "warrant W1",
        )
        assert history[2].agency == "CN-YN"
        assert AuditLog(s).verify() is None


def test_an_illegal_status_change_is_refused_and_nothing_is_written(loaded: Store) -> None:
    _ref, _pid, sid = _case_with_suspect(loaded)
    with pytest.raises(IllegalTransition) as err, loaded.session() as s:
        cases.change_status(Uow(s), DH, sid, SuspectStatus.CHARGED, "art. 266")
    assert "cannot go from 'identified' to 'charged'" in str(err.value)
    assert "wanted" in str(err.value)  # it says what is allowed
    with loaded.session() as s:
        assert Uow(s).cases.suspects()[0].status == "identified"
        assert (
            s.scalar(select(StatusChangeRow.id).where(StatusChangeRow.to_status == "charged"))
            is None
        )


def test_deceased_is_terminal_and_a_basis_is_required(loaded: Store) -> None:
    _ref, _pid, sid = _case_with_suspect(loaded)
    with pytest.raises(InvalidRecord, match="legal basis"), loaded.session() as s:
        cases.change_status(Uow(s), DH, sid, SuspectStatus.WANTED, "  ")
    with loaded.session() as s:
        cases.change_status(Uow(s), DH, sid, SuspectStatus.DECEASED, "death certificate 4411")
    with pytest.raises(IllegalTransition, match="terminal"), loaded.session() as s:
        cases.change_status(Uow(s), DH, sid, SuspectStatus.WANTED, "new warrant")


def test_transfer_request_moves_through_its_procedure(loaded: Store) -> None:
    _ref, pid, _sid = _case_with_suspect(loaded)
    with loaded.session() as s:
        ref = transfers.create(Uow(s), DH, "MM-MUSE", [pid], "treaty on mutual assistance")
    with loaded.session() as s:
        assert transfers.get(Uow(s), ref).persons[0].name == "明学昌"
        transfers.change(Uow(s), Actor("muse", "MM-MUSE"), ref, TransferStatus.ACKNOWLEDGED)
        transfers.change(Uow(s), Actor("muse", "MM-MUSE"), ref, TransferStatus.EXECUTED)
    refused = pytest.raises(IllegalRequestChange, match="from 'executed' to 'refused'")
    with refused, loaded.session() as s:
        transfers.change(Uow(s), DH, ref, TransferStatus.REFUSED)
    with pytest.raises(InvalidRecord, match="unknown agency"), loaded.session() as s:
        transfers.create(Uow(s), DH, "MM-NOWHERE", [pid], "treaty")


def test_handover_matches_across_scripts_and_moves_suspects(loaded: Store) -> None:
    _ref, pid, sid = _case_with_suspect(loaded)
    with loaded.session() as s:
        cases.change_status(Uow(s), DH, sid, SuspectStatus.WANTED, "warrant W7")
        s.add(
            WarrantRow(
                warrant_id="W7",
                issued_at=date(2023, 1, 1),
                agency="CN-YN-DH",
                name="白所成",
                pinyin="Bai Suocheng",
                birth_date=date(1960, 3, 4),
            )
        )
    header = BatchHeader("H-1", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH")
    lines = [
        ManifestLine(1, "XUECHANG MING", date(1955, 1, 1), "E1234567"),  # family name last
        ManifestLine(2, "Pai Suo-ch'eng", date(1960, 4, 3)),  # Wade–Giles, day/month swapped
        ManifestLine(3, "Zhou Xingyu", date(1999, 9, 9)),  # nobody we know
    ]
    with loaded.session() as s:
        result = handovers.import_batch(Uow(s), Actor("ingest", "CN-YN-DH"), header, lines)
    assert (result.entries, result.matched_persons, result.new_persons) == (3, 1, 2)
    assert result.fugitives == 2  # a wanted suspect and an open warrant
    with loaded.session() as s:
        entries = Uow(s).handovers.entries("H-1")
        assert entries[0].person_id == pid and entries[0].fugitive
        assert "same birth date" in " ".join(entries[0].evidence)
        assert entries[1].warrant_id == "W7" and "day and month swapped" in " ".join(
            entries[1].evidence
        )
        assert entries[2].person_id not in (None, pid) and not entries[2].fugitive
        assert [h.to_status for h in cases.history(Uow(s), sid)][-2:] == [
            "detained_abroad",
            "handed_over",
        ]
    # The same lines again are already stored and change nothing.
    with loaded.session() as s:
        again = handovers.import_batch(Uow(s), DH, header, lines)
    assert (again.entries, again.already_stored, again.new_persons) == (0, 3, 0)
    # Other lines under the known batch id are refused, naming them, and nothing is written.
    changed = [*lines[:2], ManifestLine(3, "Zhou Xingyu", date(1999, 9, 10))]
    with pytest.raises(BatchConflict, match=r"differ or are new: 3\b"), loaded.session() as s:
        handovers.import_batch(Uow(s), DH, header, changed)
    with pytest.raises(BatchConflict, match="another date"), loaded.session() as s:
        handovers.import_batch(Uow(s), DH, replace(header, date=date(2023, 11, 19)), lines)
    with loaded.session() as s:
        assert len(Uow(s).handovers.entries("H-1")) == 3


def test_custody_events_follow_the_chain(loaded: Store) -> None:
    header = BatchHeader("H-2", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH")
    with loaded.session() as s:
        handovers.import_batch(Uow(s), DH, header, [ManifestLine(1, "Zhou Xingyu")])
    out_of_order = pytest.raises(InvalidRecord, match="needs first: received, identity_verified")
    with out_of_order, loaded.session() as s:
        handovers.record_custody(Uow(s), DH, "H-2", 1, CustodyEvent.HEALTH_CHECK)
    with loaded.session() as s:
        u = Uow(s)
        handovers.record_custody(u, DH, "H-2", 1, CustodyEvent.RECEIVED)
        handovers.record_custody(u, DH, "H-2", 1, CustodyEvent.IDENTITY_VERIFIED)
        handovers.record_custody(u, DH, "H-2", 1, CustodyEvent.HEALTH_CHECK)
        with pytest.raises(InvalidRecord, match="receiving bureau"):
            handovers.record_custody(u, DH, "H-2", 1, CustodyEvent.TRANSFERRED)
        handovers.record_custody(u, DH, "H-2", 1, CustodyEvent.TRANSFERRED, "CN-YN-LC")
        view = handovers.read_batch(u, DH, "H-2")
        assert view.entries[0][1] == [e.value for e in CustodyEvent]


def test_only_supervisors_approve_names_and_they_say_suspected(loaded: Store) -> None:
    from scamnet.core.access import Actor, UserRole

    ana = Actor("ana", "CN-MPS", frozenset({UserRole.ANALYST, UserRole.INVESTIGATOR}))
    sup = Actor("sup", "CN-MPS", frozenset({UserRole.SUPERVISOR}))
    _ref, pid, _sid = _case_with_suspect(loaded)
    with pytest.raises(NotAllowed, match="needs a supervisor"), loaded.session() as s:
        publications.approve(Uow(s), ana, pid, "明学昌 (suspected mastermind)")
    with pytest.raises(InvalidRecord, match="suspected"), loaded.session() as s:
        publications.approve(Uow(s), sup, pid, "明学昌, mastermind")
    with loaded.session() as s:
        publications.approve(Uow(s), sup, pid, "明学昌 (suspected mastermind)")
    with loaded.session() as s:
        assert publications.approved(Uow(s)) == ["明学昌 (suspected mastermind)"]
        assert AuditLog(s).verify() is None


def test_cases_open_from_an_alert_or_a_report(loaded: Store) -> None:
    from datetime import UTC, datetime

    from scamnet.store.alerts import Alert, AlertRepository
    from scamnet.store.models import AlertRow, VictimReportRow

    with loaded.session() as s:
        AlertRepository(s).add_many(
            [
                Alert(
                    "subscriber",
                    "+8613800138000",
                    0.97,
                    "1",
                    "gbm-1",
                    "2023-10-01/2023-10-14",
                    "calls abroad",
                )
            ]
        )
        s.add(
            VictimReportRow(
                report_id="R1",
                filed_at=datetime(2023, 10, 2, tzinfo=UTC),
                bureau="CN-YN-DH",
                fraud_type="investment",
            )
        )
    with loaded.session() as s:
        alert_id = s.scalar(select(AlertRow.id))
        from_alert = cases.open_case(
            Uow(s), DH, "Alerted number", CaseOrigin.ALERT, str(alert_id)
        ).reference
        from_report = cases.open_case(Uow(s), DH, "Report R1", CaseOrigin.REPORT, "R1").reference
        origins = {c.reference: (c.origin, c.origin_ref) for c in list_cases(Uow(s), DH)}
    assert origins[from_alert] == ("alert", str(alert_id))
    assert origins[from_report] == ("report", "R1")


def test_a_case_from_a_found_group_takes_only_confident_members(loaded: Store) -> None:
    from scamnet.core.entities import GroupMember
    from scamnet.core.identifiers import Phone
    from scamnet.store.network import NetworkRepository

    phones = ["+8613800138000", "+8613900139000", "+8613700137000"]
    with loaded.session() as s:
        persons = PersonRepository(s)
        pids = []
        for i, number in enumerate(phones):
            pid = persons.add(person(f"明{i}", f"Ming {i}", number[3:], str(i))).id or 0
            persons.add_identifier(pid, Phone.parse(number))
            pids.append(pid)
        found = Group(
            members=[
                GroupMember(
                    f"tel:{phones[0]}", "phone", "mastermind", 1.0, "commands 2 tiers", 0.97
                ),
                GroupMember(f"tel:{phones[1]}", "phone", "member", 0.3, "calls the boss", 0.62),
                GroupMember(f"tel:{phones[2]}", "phone", "member", 0.1, "shares a handset", 0.2),
            ],
            origin="network",
        )
        (gid,) = NetworkRepository(s).save([found], "ana")
    with loaded.session() as s:
        opened = cases.open_case(Uow(s), DH, "Network", CaseOrigin.GROUP, str(gid))
        suspects = {x.person_id: x.role for x in cases.suspects(Uow(s), DH, opened.reference)}
    assert suspects == {pids[0]: "mastermind", pids[1]: "member"}
    assert [m.person_id for m in opened.to_review] == [pids[2]]
    assert "shares a handset" in opened.to_review[0].evidence
    with loaded.session() as s:
        history = cases.history(Uow(s), 1)
    assert "confidence 0.97" in history[0].legal_basis

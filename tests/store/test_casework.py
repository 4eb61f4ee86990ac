"""Cases, suspects, transfer requests, handovers and custody, on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from scamnet.core.cases import CaseOrigin, CustodyEvent, IllegalRequestChange, TransferStatus
from scamnet.core.entities import Group, Membership
from scamnet.core.errors import IllegalTransition, InvalidRecord
from scamnet.core.reference import reference_agencies
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.audit import AuditLog
from scamnet.store.casemodels import StatusChangeRow
from scamnet.store.cases import Actor, CaseRepository, UnknownCase
from scamnet.store.groups import GroupRepository
from scamnet.store.handovers import BatchHeader, HandoverRepository, ManifestLine
from scamnet.store.models import WarrantRow
from scamnet.store.persons import PersonRepository
from scamnet.store.transfers import TransferRepository
from tests.factories import person

DH = Actor("li.wei", "CN-YN-DH")


@pytest.fixture
def loaded(store: Store) -> Store:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
    return store


def _case_with_suspect(store: Store) -> tuple[str, int, int]:
    with store.session() as s:
        pid = PersonRepository(s).add(person()).id or 0
        cases = CaseRepository(s)
        ref = cases.open("Ming family network", CaseOrigin.MANUAL, None, DH)
        sid = cases.add_suspect(
            ref, pid, Role.MASTERMIND, SuspectStatus.IDENTIFIED, DH, "Criminal Law art. 266"
        )
    return ref, pid, sid


def test_case_from_a_group_takes_its_members_as_suspects(loaded: Store) -> None:
    with loaded.session() as s:
        a = PersonRepository(s).add(person()).id or 0
        b = PersonRepository(s).add(person("白所成", "Bai Suocheng", "13900139000", "1")).id or 0
        g = GroupRepository(s).add(Group(name="Ming family"))
        GroupRepository(s).set_role(Membership(a, g.id or 0, Role.MASTERMIND))
        GroupRepository(s).set_role(Membership(b, g.id or 0, Role.MONEY_MULE))
        ref = CaseRepository(s).open("Ming family", CaseOrigin.GROUP, str(g.id), DH)
    with loaded.session() as s:
        suspects = CaseRepository(s).suspects(ref)
    assert {(x.person_id, x.role, x.status) for x in suspects} == {
        (a, "mastermind", "identified"),
        (b, "money_mule", "identified"),
    }


def test_a_case_needs_an_existing_origin(loaded: Store) -> None:
    with pytest.raises(UnknownCase, match="no group '999'"), loaded.session() as s:
        CaseRepository(s).open("x", CaseOrigin.GROUP, "999", DH)
    with pytest.raises(UnknownCase, match="no report"), loaded.session() as s:
        CaseRepository(s).open("x", CaseOrigin.REPORT, "R-NOPE", DH)


def test_status_changes_record_who_when_which_agency_and_basis(loaded: Store) -> None:
    _ref, _pid, sid = _case_with_suspect(loaded)
    with loaded.session() as s:
        s.add(
            WarrantRow(
                warrant_id="W1", issued_at=date(2023, 1, 1), agency="CN-YN-DH", name="明学昌"
            )
        )
    with loaded.session() as s:
        view = CaseRepository(s).issue_warrant(sid, "W1", DH)
        assert view.status == "wanted"  # a warrant makes a suspect a fugitive
        CaseRepository(s).change_status(
            sid, SuspectStatus.LOCATED, Actor("zhao", "CN-YN"), "intelligence report 17"
        )
    with loaded.session() as s:
        history = CaseRepository(s).history(sid)
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
        CaseRepository(s).change_status(sid, SuspectStatus.CHARGED, DH, "art. 266")
    assert "cannot go from 'identified' to 'charged'" in str(err.value)
    assert "wanted" in str(err.value)  # it says what is allowed
    with loaded.session() as s:
        assert CaseRepository(s).suspects()[0].status == "identified"
        assert (
            s.scalar(select(StatusChangeRow.id).where(StatusChangeRow.to_status == "charged"))
            is None
        )


def test_deceased_is_terminal_and_a_basis_is_required(loaded: Store) -> None:
    _ref, _pid, sid = _case_with_suspect(loaded)
    with pytest.raises(InvalidRecord, match="legal basis"), loaded.session() as s:
        CaseRepository(s).change_status(sid, SuspectStatus.WANTED, DH, "  ")
    with loaded.session() as s:
        CaseRepository(s).change_status(sid, SuspectStatus.DECEASED, DH, "death certificate 4411")
    with pytest.raises(IllegalTransition, match="terminal"), loaded.session() as s:
        CaseRepository(s).change_status(sid, SuspectStatus.WANTED, DH, "new warrant")


def test_transfer_request_moves_through_its_procedure(loaded: Store) -> None:
    _ref, pid, _sid = _case_with_suspect(loaded)
    with loaded.session() as s:
        ref = TransferRepository(s).create("MM-MUSE", [pid], "treaty on mutual assistance", DH)
    with loaded.session() as s:
        transfers = TransferRepository(s)
        assert transfers.get(ref).persons[0].name == "明学昌"
        transfers.change(ref, TransferStatus.ACKNOWLEDGED, Actor("muse", "MM-MUSE"))
        transfers.change(ref, TransferStatus.EXECUTED, Actor("muse", "MM-MUSE"))
    refused = pytest.raises(IllegalRequestChange, match="from 'executed' to 'refused'")
    with refused, loaded.session() as s:
        TransferRepository(s).change(ref, TransferStatus.REFUSED, DH)
    with pytest.raises(InvalidRecord, match="unknown agency"), loaded.session() as s:
        TransferRepository(s).create("MM-NOWHERE", [pid], "treaty", DH)


def test_handover_matches_across_scripts_and_moves_suspects(loaded: Store) -> None:
    _ref, pid, sid = _case_with_suspect(loaded)
    with loaded.session() as s:
        CaseRepository(s).change_status(sid, SuspectStatus.WANTED, DH, "warrant W7")
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
        result = HandoverRepository(s).import_batch(header, lines, Actor("ingest", "CN-YN-DH"))
    assert (result.entries, result.matched_persons, result.new_persons) == (3, 1, 2)
    assert result.fugitives == 2  # a wanted suspect and an open warrant
    with loaded.session() as s:
        entries = HandoverRepository(s).entries("H-1")
        assert entries[0].person_id == pid and entries[0].fugitive
        assert "same birth date" in (entries[0].match_evidence or "")
        assert entries[1].warrant_id == "W7" and "day and month swapped" in (
            entries[1].match_evidence or ""
        )
        assert entries[2].person_id not in (None, pid) and not entries[2].fugitive
        assert [h.to_status for h in CaseRepository(s).history(sid)][-2:] == [
            "detained_abroad",
            "handed_over",
        ]
    with pytest.raises(InvalidRecord, match="already recorded"), loaded.session() as s:
        HandoverRepository(s).import_batch(header, lines, DH)


def test_custody_events_follow_the_chain(loaded: Store) -> None:
    header = BatchHeader("H-2", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH")
    with loaded.session() as s:
        HandoverRepository(s).import_batch(header, [ManifestLine(1, "Zhou Xingyu")], DH)
    out_of_order = pytest.raises(InvalidRecord, match="needs first: received, identity_verified")
    with out_of_order, loaded.session() as s:
        HandoverRepository(s).record_custody("H-2", 1, CustodyEvent.HEALTH_CHECK, DH)
    with loaded.session() as s:
        repo = HandoverRepository(s)
        repo.record_custody("H-2", 1, CustodyEvent.RECEIVED, DH)
        repo.record_custody("H-2", 1, CustodyEvent.IDENTITY_VERIFIED, DH)
        repo.record_custody("H-2", 1, CustodyEvent.HEALTH_CHECK, DH)
        with pytest.raises(InvalidRecord, match="receiving bureau"):
            repo.record_custody("H-2", 1, CustodyEvent.TRANSFERRED, DH)
        repo.record_custody("H-2", 1, CustodyEvent.TRANSFERRED, DH, "CN-YN-LC")
        assert repo.custody(repo.entries("H-2")[0].id) == list(CustodyEvent)


def test_only_supervisors_approve_names_and_they_say_suspected(loaded: Store) -> None:
    from scamnet.core.access import UserRole
    from scamnet.store.publications import NotAllowed, PublicationRepository
    from scamnet.store.users import UserRepository

    _ref, pid, _sid = _case_with_suspect(loaded)
    with loaded.session() as s:
        UserRepository(s).create("ana", "a-long-passphrase", UserRole.ANALYST)
        UserRepository(s).create("sup", "a-long-passphrase", UserRole.SUPERVISOR)
    with pytest.raises(NotAllowed, match="needs a supervisor"), loaded.session() as s:
        PublicationRepository(s).approve(pid, "明学昌 (suspected mastermind)", "ana")
    with pytest.raises(InvalidRecord, match="suspected"), loaded.session() as s:
        PublicationRepository(s).approve(pid, "明学昌, mastermind", "sup")
    with loaded.session() as s:
        PublicationRepository(s).approve(pid, "明学昌 (suspected mastermind)", "sup")
    with loaded.session() as s:
        assert PublicationRepository(s).approved() == ["明学昌 (suspected mastermind)"]
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
        cases = CaseRepository(s)
        from_alert = cases.open("Alerted number", CaseOrigin.ALERT, str(alert_id), DH)
        from_report = cases.open("Report R1", CaseOrigin.REPORT, "R1", DH)
        origins = {c.reference: (c.origin, c.origin_ref) for c in cases.cases()}
    assert origins[from_alert] == ("alert", str(alert_id))
    assert origins[from_report] == ("report", "R1")

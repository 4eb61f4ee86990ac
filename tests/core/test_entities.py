"""Records, entities, roles and the reference agencies."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from scamnet.core.entities import Agency, AgencyLevel, Person, PersonName, Script, Site
from scamnet.core.errors import InvalidRecord
from scamnet.core.identifiers import BankAccount, Phone
from scamnet.core.records import Call, Transfer
from scamnet.core.reference import reference_agencies
from scamnet.core.roles import Role

T0 = datetime(2023, 11, 1, 9, 30, tzinfo=UTC)


def test_script_detection() -> None:
    assert PersonName.of("明学昌").script is Script.HAN
    assert PersonName.of("Ming Xuechang").script is Script.LATIN
    assert PersonName.of("မောင်").script is Script.BURMESE


def test_person_needs_a_name_and_a_real_country() -> None:
    with pytest.raises(InvalidRecord, match="at least one name"):
        Person(names=[])
    with pytest.raises(InvalidRecord, match="ISO 3166"):
        Person(names=[PersonName.of("Wei")], nationality="China")


def test_hostile_name_is_refused() -> None:
    with pytest.raises(InvalidRecord, match="control"):
        PersonName.of("Wei\x00; DROP TABLE persons")


def test_site_position_is_checked() -> None:
    Site("Laukkai compound", 23.69, 98.76, "MM", "Kokang")
    with pytest.raises(InvalidRecord, match="position"):
        Site("nowhere", 123.0, 98.0, "MM")


def test_call_rules() -> None:
    a, b = Phone.parse("13800138000"), Phone.parse("13900139000")
    call = Call(a, b, T0, 12)
    assert call.key == Call(a, b, T0, 99).key  # the key is caller, callee and start
    with pytest.raises(InvalidRecord, match="itself"):
        Call(a, a, T0, 12)
    with pytest.raises(InvalidRecord, match="duration"):
        Call(a, b, T0, -1)
    with pytest.raises(InvalidRecord, match="time zone"):
        Call(a, b, T0.replace(tzinfo=None), 1)


def test_transfer_rules() -> None:
    x, y = BankAccount.parse("6222021234567890"), BankAccount.parse("6222021234567891")
    assert Transfer(x, y, Decimal("100.50"), T0).currency == "CNY"
    with pytest.raises(InvalidRecord, match="positive"):
        Transfer(x, y, Decimal("-1"), T0)
    with pytest.raises(InvalidRecord, match="positive"):
        Transfer(x, y, Decimal("NaN"), T0)


def test_roles_key_figures_and_rank() -> None:
    assert {r for r in Role if r.is_key_figure} == {
        Role.MASTERMIND,
        Role.ORGANISER,
        Role.KEY_MEMBER,
    }
    assert Role.MASTERMIND.rank < Role.ORGANISER.rank < Role.MEMBER.rank


def test_reference_agencies_form_a_hierarchy() -> None:
    agencies = reference_agencies()
    codes = {a.code for a in agencies}
    assert {"CN-MPS", "CN-YN", "CN-YN-DH", "MM-MUSE", "MM-LAUKKAI"} <= codes
    seen: set[str] = set()
    for agency in agencies:  # parents come before children
        assert agency.parent_code is None or agency.parent_code in seen
        seen.add(agency.code)
    prefectures = [a for a in agencies if a.level is AgencyLevel.PREFECTURE]
    assert len(prefectures) == 4
    assert all(a.parent_code == "CN-YN" for a in prefectures)


def test_agency_cannot_parent_itself() -> None:
    with pytest.raises(InvalidRecord, match="own parent"):
        Agency("X", "x", AgencyLevel.MINISTRY, "CN", parent_code="X")

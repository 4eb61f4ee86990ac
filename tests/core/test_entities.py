"""Entities, roles and the reference agencies."""

from __future__ import annotations

import pytest

from scamnet.core.entities import (
    Agency,
    AgencyLevel,
    Group,
    GroupMember,
    Person,
    PersonName,
    Script,
    Site,
)
from scamnet.core.errors import InvalidRecord
from scamnet.core.reference import reference_agencies
from scamnet.core.roles import Role


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


def test_site_position_and_estimate_are_checked() -> None:
    site = Site(23.69, 98.76, 1.5, "MM", "Kokang", share=0.8, cells=4, name="Laukkai compound")
    assert (site.lat, site.radius_km, site.share) == (23.69, 1.5, 0.8)
    with pytest.raises(InvalidRecord, match="position"):
        Site(123.0, 98.0, None, "MM")
    with pytest.raises(InvalidRecord, match="radius"):
        Site(23.69, 98.76, -1.0, "MM")
    with pytest.raises(InvalidRecord, match="share"):
        Site(23.69, 98.76, 1.0, "MM", share=1.5)
    with pytest.raises(InvalidRecord, match="ISO 3166"):
        Site(23.69, 98.76, 1.0, "Myanmar")


def test_group_member_role_and_confidence_are_checked() -> None:
    GroupMember("tel:+8613800138000", "phone", "organiser", 0.7, "calls", confidence=0.9)
    with pytest.raises(InvalidRecord, match="role"):
        GroupMember("tel:+8613800138000", "phone", "boss", 0.7, "calls")
    with pytest.raises(InvalidRecord, match="confidence"):
        GroupMember("tel:+8613800138000", "phone", "member", 0.1, "calls", confidence=1.2)


def test_an_analysts_group_needs_a_name_a_found_one_not() -> None:
    with pytest.raises(InvalidRecord, match="name"):
        Group(name=" ")
    assert Group(origin="network").name == ""


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

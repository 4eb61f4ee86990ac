"""The citizens' pages on a phone-sized screen, with no login: file reports, then check."""

from __future__ import annotations

from typing import Any

import pytest

from scamnet.citizens.texts import LEVELS
from tests.web.conftest import assert_accessible, shoot

pytestmark = pytest.mark.slow
NUMBER = "+86 131 0000 4242"  # an unknown number: nothing in the demo world names it


def test_a_citizen_reports_a_number_twice_and_the_check_then_warns(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/check")
    page.get_by_label("What to check").select_option("phone")
    page.get_by_label("Number, address or account").fill(NUMBER)
    page.get_by_role("button", name="Check", exact=True).click()
    assert LEVELS["unknown"]["en"] in page.locator("#result").inner_text()
    assert NUMBER.replace(" ", "") not in page.url and "4242" not in page.url
    for _ in range(2):
        page.goto("/report")
        page.get_by_label("What happened", exact=True).select_option("impersonate_authority")
        page.get_by_label("The scammer's phone number").fill(NUMBER)
        page.get_by_label("Money lost").fill("1200")
        page.get_by_label("Currency").fill("CNY")
        page.get_by_role("button", name="Send the report").click()
        assert page.locator("#receipt strong").inner_text().startswith("CIT-")
    shoot(page, "report-phone")
    page.goto("/check")
    page.get_by_label("Number, address or account").fill(NUMBER)
    page.get_by_role("button", name="Check", exact=True).click()
    result = page.locator("#result").inner_text()
    assert LEVELS["medium"]["en"] in result
    assert "impersonating the police" in result
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert_accessible(page)
    shoot(page, "check-phone")


def test_a_bad_number_gets_a_clear_line_not_an_error_page(page: Any) -> None:
    page.goto("/check")
    page.get_by_label("Number, address or account").fill("not a number")
    with page.expect_response("**/check") as answer:
        page.get_by_role("button", name="Check", exact=True).click()
    assert answer.value.status == 400
    assert "contains letters" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Number, address or account").input_value() == "not a number"

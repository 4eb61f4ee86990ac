"""Logging in and out, refusals, and CSRF on every form, in a real browser."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import PASSWORD, Web, fresh_login, login


def session_cookie(page: Any) -> str | None:
    cookies = page.context.cookies()
    return next((c["value"] for c in cookies if c["name"] == "scamnet_session"), None)


def test_a_wrong_password_is_refused_and_opens_nothing(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill("ana1")
    page.get_by_label("Password").fill("not the password at all")
    with page.expect_response("**/login") as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 401
    assert page.get_by_role("alert").inner_text().startswith("Login refused")
    assert session_cookie(page) is None
    page.goto("/alerts")
    assert page.url.endswith("/login")


def test_login_then_logout(page: Any) -> None:
    fresh_login(page, "ana1")
    assert session_cookie(page)
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert session_cookie(page) is None
    page.goto("/groups")
    assert page.url.endswith("/login")


def test_a_page_without_login_goes_to_the_login_page(page: Any) -> None:
    for path in ("/", "/alerts", "/groups/1", "/search", "/handovers", "/bulletin"):
        page.goto(path)
        assert page.url.endswith("/login"), path


def test_a_role_that_may_not_see_a_page_is_refused(page: Any) -> None:
    login(page, "viewer1")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Bulletin").is_visible()
    assert nav.get_by_role("link", name="Alerts").count() == 0
    for path in ("/alerts", "/groups/1", "/search", "/handovers"):
        answer = page.goto(path)
        assert answer.status == 403, path
        assert page.get_by_role("heading", name="Not allowed").is_visible()


def test_a_form_posted_without_its_csrf_token_is_refused(page: Any, web: Web) -> None:
    login(page, "ana1")
    # The browser sends the session cookie, as a forged cross-site form would; no token.
    refused = page.request.post("/alerts/1/verdict", form={"decision": "confirmed"})
    assert refused.status == 403
    wrong = page.request.post("/alerts/1/verdict",
                              form={"decision": "confirmed", "csrf_token": "forged"})  # fmt: skip
    assert wrong.status == 403
    # Logging in is a form too: without the token it is refused before the password is read.
    fresh = page.context.browser.new_context(base_url=web.url)
    try:
        answer = fresh.request.post("/login", form={"username": "ana1", "password": PASSWORD})
        assert answer.status == 403
    finally:
        fresh.close()

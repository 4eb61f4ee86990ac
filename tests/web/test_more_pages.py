"""The identifier page and search, the alert's marked phrases, the stated purpose of
personal reads, the lifecycle forms for suspects and transfer requests, and the admin's
users and partner keys: each driven in the browser and checked against what the store
holds afterwards (through the CLI)."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from tests.web.conftest import PURPOSE, Web, assert_accessible, login, shoot, switch_language
from tests.web.test_workflows import cli_json

pytestmark = pytest.mark.slow
runner = CliRunner()


def audit(web: Web, subject: str) -> list[dict[str, Any]]:
    """The audit log's entries about ``subject``, read by an admin."""
    import json

    argv = ["audit", "log", "--subject", subject, "--json", "--as", "admin1",
            "--data-dir", str(web.data_dir)]  # fmt: skip
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.output)
    return found


def _phone_in_group(web: Web) -> tuple[str, str, str]:
    """A number in group 1 that a known person uses: (number, person's name, group)."""
    group = cli_json(web, "network", "show", "1")
    member = next(m for m in group["members"] if m["person"] and m["node"].startswith("tel:"))
    return member["node"].removeprefix("tel:"), member["person"], group["group"]["name"]


def test_search_by_a_number_opens_its_identifier_page(page: Any, web: Web) -> None:
    number, person, group = _phone_in_group(web)
    login(page, "ana1")
    page.goto("/search")
    page.get_by_label("A name in any script").fill(number)
    with page.expect_request("**/search") as sent:
        page.get_by_role("button", name="Search").click()
    assert sent.value.method == "POST"
    page.wait_for_load_state("load")
    assert number in page.locator("h1").inner_text()
    assert group in page.locator("#id-groups").inner_text()
    assert person in page.locator("#id-persons").inner_text()
    assert number not in page.url  # posted, never in the address
    assert_accessible(page)
    shoot(page, "identifier")
    # The person's link opens the resolved person, who holds that name.
    page.locator("#id-persons a").first.click()
    assert person in page.locator("#records").inner_text()
    # The read is audited with the purpose stated for the session.
    reads = [e for e in audit(web, f"tel:{number}") if e["action"] == "identifier.read"]
    assert reads and reads[0]["detail"]["why"] == PURPOSE and reads[0]["actor"] == "ana1"


def test_a_malformed_identifier_is_refused_in_one_line(page: Any, web: Web) -> None:
    login(page, "ana1")
    page.goto("/search")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post("/identifier", form={"kind": "wallet", "value": "0x12",
                                                    "csrf_token": token})  # fmt: skip
    assert answer.status == 400
    assert "Ethereum address has 40 hex digits" in answer.text()


def test_a_message_alert_shows_its_text_with_the_phrases_marked(page: Any, web: Web) -> None:
    found = cli_json(web, "alerts", "list", "--kind", "message", "--limit", "1")["alerts"][0]
    quoted = re.findall(r"“([^”]+)”", found["explanation"])
    assert quoted
    login(page, "ana1")
    page.goto(f"/alerts/{found['id']}")
    marks = [m.lower() for m in page.locator("#alert-text mark").all_inner_texts()]
    assert marks, page.locator("main").inner_text()

    # Every marked span holds a phrase the explanation quotes, and each quoted phrase is
    # marked (found again across case and the spaces the model squeezed).
    def squeeze(text: str) -> str:
        return " ".join(text.split()).lower()

    assert all(any(squeeze(q) in squeeze(m) for q in quoted) for m in marks)
    assert all(any(squeeze(q) in squeeze(m) for m in marks) for q in quoted)
    assert_accessible(page)
    shoot(page, "alert-marked")


def test_personal_pages_ask_why_and_the_read_records_it(page: Any, web: Web) -> None:
    login(page, "inv1")
    kept = [c for c in page.context.cookies() if c["name"] != "scamnet_why"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    case = cli_json(web, "case", "list")[0]["reference"]
    # Another test may have had inv1 read this case already: only new entries count.
    earlier = {e["id"] for e in audit(web, case)}
    page.goto(f"/cases/{case}")
    assert "/purpose?back=" in page.url  # asked first; nothing read yet
    assert not [e for e in audit(web, case) if e["actor"] == "inv1" and e["id"] not in earlier]
    page.get_by_label("Case or legal basis").fill("inquiry 2023-117")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/cases/{case}")
    assert "inquiry" not in page.url
    assert "inquiry 2023-117" in page.locator(".why").inner_text()
    reads = [e for e in audit(web, case) if e["actor"] == "inv1"
             and e["action"] == "case.read" and e["id"] not in earlier]  # fmt: skip
    assert reads and reads[0]["detail"]["why"] == "inquiry 2023-117"


def _suspect_with_a_step(web: Web) -> tuple[str, dict[str, Any]]:
    from scamnet.core.suspect import SuspectStatus

    for c in cli_json(web, "case", "list"):
        for s in cli_json(web, "case", "show", c["reference"])["suspects"]:
            if SuspectStatus(s["suspect"]["status"]).allowed_next():
                return c["reference"], s
    raise AssertionError("no suspect in the demo world can move on")


def test_a_suspect_moves_through_its_lifecycle_by_the_form(page: Any, web: Web) -> None:
    from scamnet.core.suspect import SuspectStatus

    case, suspect = _suspect_with_a_step(web)
    sid = suspect["suspect"]["id"]
    now = SuspectStatus(suspect["suspect"]["status"])
    step = sorted(now.allowed_next())[0]
    illegal = next(s for s in SuspectStatus if s not in now.allowed_next() and s != now)

    login(page, "ana1")  # an analyst reads the case but has no lifecycle forms
    page.goto(f"/cases/{case}")
    assert page.locator("form[action$='/status']").count() == 0
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(f"/suspects/{sid}/status", form={
        "status": step.value, "legal_basis": "x", "case": case, "csrf_token": token})  # fmt: skip
    assert refused.status == 403
    page.context.clear_cookies()

    login(page, "inv1")
    page.goto(f"/cases/{case}")
    box = page.locator(f"#suspect-{sid}")
    box.locator("summary").click()
    box.get_by_label("Next status").select_option(step.value)
    box.get_by_label("Legal basis").fill("order of 12 Nov 2023")
    box.get_by_role("button", name="Move the suspect on").click()
    page.wait_for_url(f"**/cases/{case}")
    assert_accessible(page)
    shoot(page, "case-lifecycle")
    # An illegal step is refused with the lifecycle's reason, and nothing is written.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    form = {"status": illegal.value, "legal_basis": "x", "case": case, "csrf_token": token}
    answer = page.request.post(f"/suspects/{sid}/status", form=form)
    assert answer.status == 400 and "cannot go from" in answer.text()
    # Without the CSRF token the step is refused too.
    assert page.request.post(f"/suspects/{sid}/status", form={
        "status": illegal.value, "legal_basis": "x", "case": case}).status == 403  # fmt: skip
    stored = next(s for s in cli_json(web, "case", "show", case)["suspects"]
                  if s["suspect"]["id"] == sid)  # fmt: skip
    assert stored["suspect"]["status"] == step.value
    assert stored["history"][-1]["legal_basis"] == "order of 12 Nov 2023"


def test_a_liaison_officer_asks_for_a_transfer_and_moves_it_on(page: Any, web: Web) -> None:
    case, suspect = _suspect_with_a_step(web)
    before = {t["reference"] for t in cli_json(web, "transfer", "list")}
    login(page, "liaison1")
    page.goto(f"/cases/{case}")
    form = page.locator("form[action='/transfers']")
    form.locator(f"#tp-{suspect['suspect']['id']}").check()
    form.get_by_label("Partner agency").select_option("MM-MUSE")
    form.get_by_label("Legal basis").fill("bilateral agreement, art. 4")
    form.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/transfers/TR-*")
    reference = page.url.rsplit("/", 1)[1]
    assert reference not in before
    assert page.locator("#transfer-status").inner_text() == "sent"
    page.get_by_label("New status").select_option("acknowledged")
    page.get_by_role("button", name="Record the step").click()
    page.wait_for_url(f"**/transfers/{reference}")
    assert page.locator("#transfer-status").inner_text() == "acknowledged"
    assert_accessible(page)
    shoot(page, "transfer")
    stored = next(t for t in cli_json(web, "transfer", "list") if t["reference"] == reference)
    assert stored["status"] == "acknowledged"
    assert stored["partner_agency"] == "MM-MUSE"
    assert [p["person_id"] for p in stored["persons"]] == [suspect["suspect"]["person_id"]]


def test_an_admin_adds_disables_and_gives_roles_to_users_and_registers_a_key(
    page: Any, web: Web
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    login(page, "admin1")
    page.goto("/admin")
    page.locator("#add-user").locator("xpath=..").locator("summary").click()
    form = page.locator("#add-user")
    form.get_by_label("User name").fill("webnew")
    form.get_by_label("Password").fill("a long enough passphrase 42")
    form.get_by_label("analyst").check()
    form.get_by_role("button", name="Add the user").click()
    page.wait_for_url("**/admin#users")
    row = page.locator("tr[data-user=webnew]")
    assert "analyst" in row.locator(".roles").inner_text()
    row.get_by_role("button", name="Disable webnew").click()
    page.wait_for_url("**/admin#users")
    assert row.locator(".state").inner_text() == "disabled"
    row.locator("summary").click()
    row.get_by_label("liaison officer").check()
    row.get_by_role("button", name="Save the roles").click()
    page.wait_for_url("**/admin#users")
    stored = next(u for u in cli_json(web, "user", "list") if u["username"] == "webnew")
    assert stored["active"] is False and stored["roles"] == ["analyst", "liaison"]

    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = base64.b64encode(raw).decode()
    page.locator("#partners details summary").click()
    page.get_by_label("Agency", exact=True).last.select_option("MM-MUSE")
    page.get_by_label("Public key (checked").fill(key)
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/admin#partners")
    assert key in page.locator("#partner-table").inner_text()
    assert_accessible(page)
    shoot(page, "admin-users")
    # A malformed key is refused in one line.
    page.locator("#partners details summary").click()
    page.get_by_label("Public key (checked").fill("not a key")
    page.get_by_role("button", name="Register", exact=True).click()
    assert "not an Ed25519 public key" in page.get_by_role("alert").inner_text()


def test_an_analyst_may_not_open_the_admin_page(page: Any, web: Web) -> None:
    login(page, "ana1")
    answer = page.goto("/admin")
    assert answer.status == 403
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post("/admin/users/active", form={
        "username": "admin1", "active": "no", "csrf_token": token})  # fmt: skip
    assert refused.status == 403


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_the_new_pages_in_french_and_chinese(page: Any, web: Web, lang: str) -> None:
    """Domain words (statuses, roles, kinds) come from the catalogues, not as codes."""
    number, _person, _group = _phone_in_group(web)
    case, _suspect = _suspect_with_a_step(web)
    login(page, "admin1")
    switch_language(page, lang)
    page.goto("/cases")
    shoot(page, f"cases-{lang}")
    assert_accessible(page)
    page.goto(f"/cases/{case}")
    words = {"fr": ("Étapes de la procédure", "Base légale"), "zh": ("流程步骤", "法律依据")}
    text = page.locator("main").inner_text()
    assert all(w in text for w in words[lang]), text[:500]
    assert_accessible(page)
    shoot(page, f"case-{lang}")
    page.goto("/search")
    page.locator("#q").fill(number)
    page.locator("form[action='/search'] button").click()
    page.wait_for_load_state("load")
    kind = {"fr": "numéro de téléphone", "zh": "电话号码"}[lang]
    assert kind in page.locator("main").inner_text()
    assert_accessible(page)
    shoot(page, f"identifier-{lang}")
    page.goto("/transfers")
    assert_accessible(page)
    shoot(page, f"transfers-{lang}")
    page.goto("/purpose")
    assert_accessible(page)
    shoot(page, f"purpose-{lang}")

"""The analyst's, investigator's and supervisor's work through the pages, in a real
browser, each checked against what the store holds afterwards (through the CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from tests.web.conftest import Web, login, shoot
from tests.web.users import AGENCY

pytestmark = pytest.mark.slow
runner = CliRunner()


def cli_json(web: Web, *args: str) -> Any:
    argv = [*args, "--json", "--data-dir", str(web.data_dir)]
    result = runner.invoke(app, [*argv, "--user", "admin1", "--agency", AGENCY])
    if result.exit_code != 0:  # commands that take no actor
        result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_triage_by_click_and_by_keyboard(page: Any, web: Web) -> None:
    login(page, "ana1")
    page.goto("/alerts?kind=subscriber&status=open")
    rows = page.locator("#queue tbody tr")
    first_id = rows.nth(0).get_attribute("id").removeprefix("alert-")
    second_id = rows.nth(1).get_attribute("id").removeprefix("alert-")
    rows.nth(0).get_by_role("button", name="Confirm").click()
    # htmx swaps the row in, then (once settled) binds its forms and makes it the current
    # row: a key pressed in between would post a plain form. Each step waits for both.
    page.wait_for_selector(f"#alert-{first_id}.current .status-confirmed")
    # The keyboard: the row just triaged is the current one; j moves to the next row,
    # f gives it "false positive", a assigns it to the analyst.
    page.keyboard.press("j")
    page.keyboard.press("f")
    page.wait_for_selector(f"#alert-{second_id}.current .status-false_positive")
    page.keyboard.press("a")
    # The row is replaced while it is assigned: absent for a moment, then back.
    page.wait_for_function(
        f"document.querySelector('#alert-{second_id}')?.innerText.includes('ana1') === true"
    )
    shoot(page, "alerts-triaged")
    first = cli_json(web, "alerts", "show", first_id)
    second = cli_json(web, "alerts", "show", second_id)
    assert first["alert"]["verdict"] == "confirmed"
    assert first["verdicts"][0]["author"] == "ana1"
    assert second["alert"]["verdict"] == "false_positive"
    assert second["alert"]["assignee"] == "ana1"


def test_the_group_page_draws_the_network_and_the_map(page: Any, web: Web) -> None:
    login(page, "ana1")
    page.goto("/groups/1")
    graph = page.wait_for_selector("#graph[data-rendered=true]")
    assert int(graph.get_attribute("data-nodes")) > 10
    assert int(graph.get_attribute("data-edges")) > 10
    # Cytoscape draws on canvases: the drawing is there, not only the HTML around it.
    painted = page.evaluate(
        """() => [...document.querySelectorAll('#graph canvas')].some(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
            return false; })"""
    )
    assert painted
    # The ringleaders are drawn larger than the members.
    sizes = page.evaluate(
        """() => { const cy = document.getElementById('graph')._cyreg.cy;
            const w = (r) => cy.nodes(`[role = "${r}"]`).map(n => n.width());
            return {lead: w('mastermind').concat(w('organiser'), w('key_member')),
                    member: w('member')}; }"""
    )
    assert sizes["lead"] and sizes["member"]
    assert min(sizes["lead"]) > max(sizes["member"])
    # Members come first; opening the mastermind fetches its handsets, towers and the
    # numbers outside the group it is tied to.
    before = int(graph.get_attribute("data-nodes"))
    page.evaluate(
        """() => document.getElementById('graph')._cyreg.cy
            .nodes('[role = "mastermind"]')[0].emit('tap')"""
    )
    page.wait_for_function(
        f"() => Number(document.getElementById('graph').dataset.nodes) > {before}"
    )
    assert page.locator("#graph-selected").inner_text().strip()
    # The map: country boundaries from the bundled Natural Earth data, and each compound.
    map_box = page.wait_for_selector("#map[data-rendered=true]")
    sites = len(cli_json(web, "network", "show", "1")["group"]["sites"])
    assert int(map_box.get_attribute("data-drawn")) == sites > 0
    assert page.locator("#map .leaflet-overlay-pane path").count() > 2 * sites
    assert page.locator("#map img.leaflet-tile").count() == 0  # no tile server
    shoot(page, "group-drawn")


def test_a_second_case_from_a_group_is_refused_naming_the_open_one(page: Any, web: Web) -> None:
    """The demo opened a case from each group: the form says which, and nothing changes."""
    before = cli_json(web, "case", "list")
    open_one = next(
        c["reference"] for c in before if c["origin"] == "group" and c["origin_ref"] == "2"
    )
    login(page, "inv1")
    page.goto("/groups/2")
    form = page.get_by_role("region", name="Open a case from this group")
    assert "No one is made a suspect on weak evidence" in form.inner_text()
    page.get_by_label("Title").fill("Kokang again")
    page.get_by_label("Minimum confidence").fill("0.9")
    with page.expect_response("**/groups/2/case") as answer:
        page.get_by_role("button", name="Open the case").click()
    assert answer.value.status == 400
    assert f"case {open_one} is already open" in page.get_by_role("alert").inner_text()
    assert cli_json(web, "case", "list") == before


def test_search_by_a_latin_name_reaches_the_person_in_han(page: Any, web: Web) -> None:
    from pypinyin import lazy_pinyin

    group = cli_json(web, "network", "show", "1")
    han = next(m["person"] for m in group["members"] if m["person"])
    latin = " ".join(lazy_pinyin(han)).title()
    login(page, "ana1")
    page.goto("/search")
    page.get_by_label("A name in any script").fill(latin)
    with page.expect_request("**/search") as sent:
        page.get_by_role("button", name="Search").click()
    assert sent.value.method == "POST"
    page.wait_for_selector("#candidates")
    assert han in page.locator("#candidates").inner_text()
    assert latin not in page.url and han not in page.url  # no personal data in the URL
    shoot(page, "search-latin")
    page.locator("#candidates tr", has_text=han).get_by_role("link").first.click()
    assert han in page.locator("#records").inner_text()


def test_a_handover_from_manifest_upload_to_custody(page: Any, web: Web, tmp_path: Path) -> None:
    muse = cli_json(web, "handover", "show", "H-20231017-MUSE")
    known = next(e for e in muse["entries"] if e["person_id"] and e["birth_date"])
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "batch_id,date,crossing,from_agency,to_agency,seq,name,birth_date\n"
        f"H-WEB-0001,2023-10-20,Muse–Ruili,MM-MUSE,CN-YN-DH,1,{known['name']},{known['birth_date']}\n"
        "H-WEB-0001,2023-10-20,Muse–Ruili,MM-MUSE,CN-YN-DH,2,NOBODY KNOWNBEFORE,1999-01-01\n",
        encoding="utf-8",
    )
    login(page, "inv1")
    page.goto("/handovers/upload")
    page.get_by_label("Manifest").set_input_files(str(manifest))
    page.get_by_role("button", name="Check the lines").click()
    preview = page.locator("#preview").inner_text()
    assert f"person:{known['person_id']}" in preview
    assert "no known person matched" in preview
    shoot(page, "handover-preview")
    assert not [
        b for b in cli_json(web, "handover", "list") if b["batch"]["batch_id"] == "H-WEB-0001"
    ]
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_url("**/handovers/H-WEB-0001")
    line = page.locator("#line-1")
    line.get_by_label("Next step").select_option("received")
    line.get_by_role("button", name="Record").click()
    page.wait_for_url("**/handovers/H-WEB-0001#line-1")
    assert "received" in page.locator("#line-1 .timeline").inner_text()
    shoot(page, "handover-custody")
    stored = cli_json(web, "handover", "show", "H-WEB-0001")
    assert stored["entries"][0]["person_id"] == known["person_id"]
    assert stored["entries"][0]["custody"] == ["received"]


def test_a_supervisor_approves_a_name_for_the_bulletin(page: Any, web: Web) -> None:
    login(page, "viewer1")
    page.goto("/bulletin?in=fr")
    assert page.locator("#bulletin h2").inner_text()
    assert page.get_by_role("button", name="Approve").count() == 0
    refused = page.request.post("/bulletin/approve", form={"person_id": "1", "text": "x"})
    assert refused.status == 403
    page.context.clear_cookies()

    login(page, "super1")
    page.goto("/bulletin?in=zh")
    page.get_by_label("Person id").fill("1")
    page.get_by_label("Text to print").fill("王某，电信诈骗犯罪嫌疑人")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_role("status").inner_text().startswith("Approved for publication")
    assert "王某，电信诈骗犯罪嫌疑人" in page.locator("#bulletin").inner_text()
    page.goto("/bulletin?in=fr")
    assert "王某，电信诈骗犯罪嫌疑人" in page.locator("#bulletin").inner_text()
    shoot(page, "bulletin-approved")

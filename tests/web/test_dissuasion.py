"""The dissuasion queue in a real browser: a call from a reported number pushed to the
running server queues the person called; an officer takes the item and records that
the money was stopped, and the statistics count it."""

from __future__ import annotations

import csv
import json
from typing import Any

import httpx
import pytest

from tests.web.conftest import PASSWORD, Web, login, shoot

pytestmark = pytest.mark.slow
VICTIM = "+8613911112222"


def _reported_number(web: Web) -> str:
    with (web.data_dir / "world" / "reports.csv").open() as fh:
        return next(r["scammer_phone"] for r in csv.DictReader(fh) if r["scammer_phone"])


def test_an_officer_warns_the_person_a_reported_number_just_called(page: Any, web: Web) -> None:
    scammer = _reported_number(web)
    with httpx.Client(base_url=web.url, timeout=30) as http:
        token = http.post("/v1/login", json={"username": "ana1", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        call = {"caller": scammer, "callee": VICTIM, "start": "2023-10-06T02:00:00Z",
                "duration_s": 300}  # fmt: skip
        pushed = http.post("/v1/records/calls", content=json.dumps(call) + "\n", headers=headers)
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["queued"] == 1
    login(page, "ana1")
    page.goto("/dissuasion")
    row = page.locator("#dissuasion tbody tr", has_text=VICTIM)
    assert scammer in row.inner_text() and "victim report" in row.inner_text()
    row.get_by_role("button", name="Take").click()
    page.wait_for_url("**/dissuasion?status=taken")
    count = page.locator("main p", has_text="to warn").inner_text()
    number = int(count.split()[0].replace(",", ""))
    assert count == f"{number:,} {'person' if number == 1 else 'people'} to warn"
    row = page.locator("#dissuasion tbody tr", has_text=VICTIM)
    row.get_by_label("Outcome", exact=True).select_option("money_stopped")
    row.get_by_label("Amount stopped").fill("8000.00")
    shoot(page, "dissuasion-outcome")
    row.get_by_role("button", name="Record").click()
    page.goto("/dissuasion?status=closed")
    closed = page.locator("#dissuasion tbody tr", has_text=VICTIM)
    assert "money stopped" in closed.inner_text() and "8000.00" in closed.inner_text()
    with httpx.Client(base_url=web.url, timeout=30) as http:
        token = http.post("/v1/login", json={"username": "ana1", "password": PASSWORD}).json()
        stats = http.get("/v1/stats", headers={"Authorization": f"Bearer {token['token']}"})
        assert stats.status_code == 200, stats.text
        assert stats.json()["totals"]["money_stopped"] >= 1

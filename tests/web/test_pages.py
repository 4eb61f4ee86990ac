"""Every main page in French and Chinese: rendered in the chosen language, free of WCAG
A/AA violations (axe-core), usable on a phone-sized screen, and saved as a screenshot for a
reviewer (``$SCAMNET_SCREENSHOTS``, default tests/.artifacts/screenshots)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import assert_accessible, login, shoot, switch_language

pytestmark = pytest.mark.slow

# Each page with a phrase that shows it is in the language asked for.
PAGES = {
    "dashboard": ("/", {"fr": "Tableau de bord", "zh": "总览"}),
    "alerts": ("/alerts", {"fr": "File des alertes", "zh": "警报队列"}),
    "groups": ("/groups", {"fr": "Groupes", "zh": "团伙"}),
    "group": ("/groups/1", {"fr": "Le réseau", "zh": "关系网络"}),
    "search": ("/search", {"fr": "Recherche", "zh": "搜索"}),
    "handovers": ("/handovers", {"fr": "Remises", "zh": "移交"}),
    "handover": ("/handovers/H-20231017-MUSE", {"fr": "Garde", "zh": "羁押"}),
    "upload": ("/handovers/upload", {"fr": "Téléverser un manifeste", "zh": "上传移交名单"}),
    "bulletin": ("/bulletin", {"fr": "Bulletin", "zh": "通报"}),
    "admin": ("/admin", {"fr": "File d'envoi des échanges", "zh": "交换发件箱"}),
    "check": ("/check", {"fr": "Est-ce une escroquerie", "zh": "是诈骗吗"}),
    "report": ("/report", {"fr": "Signaler une escroquerie", "zh": "举报诈骗"}),
    "person": (
        "/persons/RP-000001",
        {"fr": "Noms dans toutes les écritures", "zh": "各文字书写的姓名"},
    ),
}


def _settle(page: Any, name: str) -> None:
    """Wait for what scripts draw (the graph and the map) before judging the page."""
    if name == "group":
        page.wait_for_selector("#graph[data-rendered=true]")
        page.wait_for_selector("#map[data-rendered=true]")


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_every_main_page_in_the_language_accessible_and_shot(page: Any, lang: str) -> None:
    login(page, "admin1")
    switch_language(page, lang)
    for name, (path, phrase) in PAGES.items():
        answer = page.goto(path)
        assert answer.status == 200, (path, answer.status)
        _settle(page, name)
        assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else lang)
        assert phrase[lang] in page.locator("main").inner_text(), (name, lang)
        assert_accessible(page)
        shoot(page, f"{name}-{lang}")
    page.goto("/login")
    shoot(page, f"login-{lang}")


def test_pages_fit_a_phone_screen(page: Any) -> None:
    """No page scrolls sideways at 375 px: wide tables scroll inside their own box."""
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "admin1")
    for name, (path, _phrase) in PAGES.items():
        page.goto(path)
        _settle(page, name)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, overflow)
    page.goto("/alerts")
    shoot(page, "alerts-phone")

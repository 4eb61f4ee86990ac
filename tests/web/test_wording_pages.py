"""The texts the domain stores in English (an alert's reasons, a member's evidence, a
compound's name) are read in French and Chinese on the pages, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest

from scamnet.web.wording import translate, unmatched
from tests.web.conftest import login, switch_language

pytestmark = pytest.mark.slow
HAN = re.compile(r"[\u4e00-\u9fff]")
# (page, the cell holding a composed text in its first row)
CELLS = (
    ("/alerts", "#queue tbody tr >> nth=0 >> td >> nth=4"),
    ("/groups/1", "#members tbody tr >> nth=0 >> td >> nth=-1"),
    ("/groups", "main table tbody tr >> nth=0 >> td >> nth=4 >> li >> nth=0"),
)


def _texts(page: Any) -> list[str]:
    out = []
    for path, cell in CELLS:
        page.goto(path)
        out.append(page.locator(cell).inner_text().strip())
    return out


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_an_alert_row_a_member_row_and_a_site_read_in_the_language(page: Any, lang: str) -> None:
    login(page, "ana1")
    switch_language(page, "en")
    stored = _texts(page)  # English pages show the stored text as it is
    stored[2] = stored[2].split(" (")[0]  # the compound's name, before its region and radius
    assert "confidence" in stored[1] and stored[2].startswith("compound near"), stored
    assert all(unmatched(t) == [] for t in stored), stored
    switch_language(page, lang)
    shown = _texts(page)
    for english, said in zip(stored[:2], shown[:2], strict=True):
        assert said == translate(english, lang) != english
    assert shown[2].startswith(translate(stored[2], lang))
    if lang == "zh":
        assert all(HAN.search(t) for t in shown), shown
    else:
        assert "confiance" in shown[1] and shown[2].startswith("complexe près de"), shown

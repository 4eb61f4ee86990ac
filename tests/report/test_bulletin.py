"""Bulletins in French, Chinese and English, from the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scamnet.report.bulletin import Lang, compose
from scamnet.report.statistics import Totals

FIGURES = Totals(
    as_of=date(2023, 11, 22),
    persons=31_000,
    key_figures=63,
    fugitives=1_531,
    batches=5,
    latest_batch=(date(2023, 11, 18), "Muse", 571),
    operations=0,
    sites_closed=0,
    persons_arrested=0,
)
AS_OF = datetime(2023, 11, 22, 0, 41, tzinfo=UTC)  # 08:41 in Beijing


def test_french() -> None:
    b = compose(FIGURES, AS_OF, Lang.FR)
    md = b.markdown()
    assert "Dernière mise à jour à 08h41 (UTC+08:00) le 22/11/2023" in md
    assert (
        "À ce jour, un total de 31\u202f000 suspects ont été remis à la partie chinoise, "
        "dont 63 cerveaux, organisateurs ou membres clés présumés, ainsi que 1\u202f531 "
        "fugitifs."
    ) in md
    assert "Le 18 novembre 2023, 571 suspects ont été remis" in md


def test_chinese() -> None:
    md = compose(FIGURES, AS_OF, Lang.ZH).markdown()
    assert "最后更新：2023年11月22日 08:41 (GMT+08:00)" in md
    assert "共有31,000名" in md and "骨干63名" in md and "网上在逃人员1,531名" in md
    assert "2023年11月18日，在Muse移交犯罪嫌疑人571名。" in md


def test_english_and_singular() -> None:
    one = Totals(None, 1, 1, 0, 1, (date(2023, 11, 18), "Muse", 1), 0, 0, 0)
    md = compose(one, AS_OF, Lang.EN).markdown()
    assert "Last updated at 08:41 (GMT+08:00) on 22 Nov 2023" in md
    assert "a total of 1 suspect has been handed over" in md
    assert "among them 1 suspected mastermind, organiser or key member, and 0 fugitives." in md
    assert "On 18 November 2023, 1 suspect was handed over at Muse." in md
    fr = compose(one, AS_OF, Lang.FR).markdown()
    assert "un total de 1 suspect a été remis" in fr and "ainsi que 0 fugitif." in fr


def test_html_escapes_names_and_sets_the_language() -> None:
    b = compose(FIGURES, AS_OF, Lang.EN, names=["<script>x</script> (suspected organiser)"])
    page = b.html()
    assert '<html lang="en">' in page
    assert "<script>x" not in page and "&lt;script&gt;" in page
    assert "31,000" in page


@pytest.mark.parametrize("lang", list(Lang))
def test_names_appear_only_when_approved(lang: Lang) -> None:
    assert "##" not in compose(FIGURES, AS_OF, lang).markdown()
    assert "明学昌" in compose(FIGURES, AS_OF, lang, names=["明学昌 (嫌疑人)"]).markdown()

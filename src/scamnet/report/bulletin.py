"""The public bulletin, written from the statistics in French, Chinese or English.

Only aggregate figures appear, and the names a supervisor approved for
publication. Numbers and dates are formatted for the locale by Babel (French
groups thousands with a narrow no-break space, Chinese with a comma).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from scamnet.report.statistics import Totals


class Lang(StrEnum):
    FR = "fr"
    ZH = "zh"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Bulletin:
    lang: Lang
    title: str
    updated: str
    paragraphs: tuple[str, ...]
    names: tuple[str, ...]
    names_heading: str

    def markdown(self) -> str:
        parts = [f"# {self.title}", f"*{self.updated}*", *self.paragraphs]
        if self.names:
            parts.append(f"## {self.names_heading}")
            parts.append("\n".join(f"- {n}" for n in self.names))
        return "\n\n".join(parts) + "\n"

    def html(self) -> str:
        e = html.escape
        body = [f"<h1>{e(self.title)}</h1>", f'<p class="updated"><em>{e(self.updated)}</em></p>']
        body += [f"<p>{e(p)}</p>" for p in self.paragraphs]
        if self.names:
            body.append(f"<h2>{e(self.names_heading)}</h2>")
            body.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in self.names) + "</ul>")
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang.value}">\n<head><meta charset="utf-8">'
            f"<title>{e(self.title)}</title></head>\n<body>\n"
            + "\n".join(body)
            + "\n</body>\n</html>\n"
        )


def compose(
    totals: Totals,
    as_of: datetime,
    lang: Lang,
    names: list[str] | None = None,
    tz: str = "Asia/Shanghai",
) -> Bulletin:
    """The bulletin for ``totals`` as of ``as_of`` (shown in ``tz``)."""
    local = as_of.astimezone(ZoneInfo(tz))
    loc = lang.value

    def n(x: int) -> str:
        return format_decimal(x, locale=loc)

    texts = _TEXTS[lang]
    updated = texts["updated"].format(
        time=format_time(local, texts["time"], locale=loc),
        date=format_date(local, texts["date"], locale=loc),
    )
    key = _text(lang, "key", totals.key_figures).format(n(totals.key_figures))
    fugitives = _text(lang, "fugitives", totals.fugitives).format(n(totals.fugitives))
    total = _text(lang, "total", totals.persons)
    paragraphs = [total.format(persons=n(totals.persons), key=key, fugitives=fugitives)]
    if totals.latest_batch is not None:
        day, crossing, persons = totals.latest_batch
        latest = _text(lang, "latest", persons)
        paragraphs.append(
            latest.format(
                date=format_date(day, texts["day"], locale=loc),
                crossing=crossing,
                persons=n(persons),
            )
        )
    if totals.operations:
        paragraphs.append(
            texts["operations"].format(
                ops=n(totals.operations),
                sites=n(totals.sites_closed),
                arrested=n(totals.persons_arrested),
            )
        )
    if totals.warned:
        paragraphs.append(
            texts["dissuasion"].format(
                warned=n(totals.warned),
                stopped=n(totals.money_stopped),
                amount=format_decimal(totals.prevented, locale=loc),
            )
        )
    return Bulletin(
        lang, texts["title"], updated, tuple(paragraphs), tuple(names or ()), texts["names"]
    )


def _text(lang: Lang, key: str, count: int) -> str:
    """The template in the CLDR plural form of ``count`` (French 0 and 1 are singular)."""
    texts = _TEXTS[lang]
    form = Locale.parse(lang.value).plural_form(count)
    return texts.get(f"{key}:{form}", texts[f"{key}:other"])


_TEXTS: dict[Lang, dict[str, str]] = {
    Lang.FR: {
        "title": "Lutte contre la fraude aux télécommunications : remises de suspects",
        "updated": "Dernière mise à jour à {time} le {date}",
        # The year and the offset: a bulletin is quoted long after the day it was written.
        "time": "HH'h'mm (ZZZZ)",
        "date": "dd/MM/y",
        "day": "d MMMM y",
        "total:one": "À ce jour, un total de {persons} suspect a été remis à la partie "
        "chinoise, dont {key}, ainsi que {fugitives}.",
        "total:other": "À ce jour, un total de {persons} suspects ont été remis à la partie "
        "chinoise, dont {key}, ainsi que {fugitives}.",
        "key:one": "{} cerveau, organisateur ou membre clé présumé",
        "key:other": "{} cerveaux, organisateurs ou membres clés présumés",
        "fugitives:one": "{} fugitif",
        "fugitives:other": "{} fugitifs",
        "latest:one": "Le {date}, {persons} suspect a été remis au point de passage de {crossing}.",
        "latest:other": "Le {date}, {persons} suspects ont été remis au point de passage "
        "de {crossing}.",
        "operations": "Opérations menées : {ops} ; sites fermés : {sites} ; "
        "personnes arrêtées : {arrested}.",
        "dissuasion": "Personnes prévenues à temps d'une escroquerie en cours : {warned} ; "
        "paiements arrêtés : {stopped}, pour {amount} yuans de pertes évitées.",
        "names": "Personnes dont le nom est rendu public",
    },
    Lang.ZH: {
        "title": "打击电信网络诈骗犯罪嫌疑人移交情况",
        "updated": "最后更新：{date} {time}",
        "time": "HH:mm (ZZZZ)",
        "date": "y年M月d日",
        "day": "y年M月d日",
        "total:other": "截至目前，共有{persons}名电信网络诈骗犯罪嫌疑人被移交我方，"
        "其中包括{key}，{fugitives}。",
        "key:other": "幕后金主、组织头目和骨干{}名",
        "fugitives:other": "网上在逃人员{}名",
        "latest:other": "{date}，在{crossing}移交犯罪嫌疑人{persons}名。",
        "operations": "共开展行动{ops}次，捣毁窝点{sites}处，抓获{arrested}人。",
        "dissuasion": "及时劝阻潜在受害人{warned}名，止付{stopped}笔，避免损失{amount}元。",
        "names": "经批准公布姓名的人员",
    },
    Lang.EN: {
        "title": "Telecom fraud crackdown: suspects handed over",
        "updated": "Last updated at {time} on {date}",
        "time": "HH:mm (ZZZZ)",
        "date": "d MMM y",
        "day": "d MMMM y",
        "total:one": "To date, a total of {persons} suspect has been handed over to the "
        "Chinese side, among them {key}, and {fugitives}.",
        "total:other": "To date, a total of {persons} suspects have been handed over to the "
        "Chinese side, among them {key}, and {fugitives}.",
        "key:one": "{} suspected mastermind, organiser or key member",
        "key:other": "{} suspected masterminds, organisers or key members",
        "fugitives:one": "{} fugitive",
        "fugitives:other": "{} fugitives",
        "latest:one": "On {date}, {persons} suspect was handed over at {crossing}.",
        "latest:other": "On {date}, {persons} suspects were handed over at {crossing}.",
        "operations": "Operations carried out: {ops}; sites closed: {sites}; "
        "persons arrested: {arrested}.",
        "dissuasion": "People warned in time of a scam under way: {warned}; payments "
        "stopped: {stopped}, preventing losses of {amount} yuan.",
        "names": "Persons whose names are released",
    },
}

"""Texts the domain composed in English, shown in the reader's language.

Alert explanations, membership evidence, site names and match evidence are stored in
English: they are the record, quoted in case files, and stay as they are. The pages
translate them at display time: a text is cut into its parts where the producers join
them ("; ", ": ", " | ", never inside a quoted phrase), and each part is matched against
``wording_rules`` (exact words, feature words, patterns with named groups) and rendered
from the page's catalogue with the stored numbers and names put back in. A part that
matches nothing is shown as stored, never dropped.

The patterns are compiled once; a translated text is cached per language, since the
alert queue shows the same parts over and over.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from scamnet.web.i18n import translations
from scamnet.web.wording_rules import (
    CONTACTS_MEAN,
    EXACT,
    FEATURES,
    LEXICAL,
    RULES,
    VALUES,
    WHOLE,
)

# Where the producers join parts; a quoted phrase (a message's words) is skipped whole.
_CUT = re.compile(r"“[^”]*”|; |: | \| ")
_FEATURE = re.compile(r"(?P<feature>.+?) = (?P<value>.+)")
# Parts shown as stored, since they are the evidence itself: the phrases quoted from a
# message, and two names compared with their similarity.
_KEEP = (re.compile(r"“[^”]*”(?:, “[^”]*”)*"), re.compile(r".+ ~ .+ \([\d.]+\)"))
_NESTED = ("inner", "why")
# The joins as each language writes them.
_JOINS = {
    "fr": {"; ": " ; ", ": ": " : ", " | ": " | ", ", ": ", "},
    "zh": {"; ": "；", ": ": "：", " | ": " | ", ", ": "、"},
}


Compiled = list[tuple[re.Pattern[str], str | tuple[str, str], str | None]]


@cache
def _compiled(whole: bool) -> Compiled:
    rules = WHOLE if whole else RULES
    return [(re.compile(pattern), msg, count) for pattern, msg, count in rules]


def translate(text: str | None, lang: str) -> str:
    """``text`` (as a producer composed it) in ``lang``; parts matching nothing stay as
    they are. English, and an empty text, are returned unchanged."""
    if not text or lang not in _JOINS:
        return text or ""
    return _translate(text, lang)


def unmatched(text: str) -> list[str]:
    """The parts of ``text`` that no rule matches (they would be shown in English)."""
    if text in EXACT:
        return []
    whole = _whole(text)
    if whole is not None:
        return [u for name in _NESTED if whole.get(name) for u in unmatched(whole[name])]
    return [part for part, _sep in _cut(text) if _part(part, "zh") is None]


@lru_cache(maxsize=16_384)
def _translate(text: str, lang: str) -> str:
    if text in EXACT:
        return translations(lang).gettext(text)
    said = _by_rules(text, lang, _compiled(whole=True))
    if said is not None:
        return said
    joins = _JOINS[lang]
    out = []
    for part, sep in _cut(text):
        said = _part(part, lang)
        out.append((part if said is None else said) + joins.get(sep, sep))
    return "".join(out)


def _cut(text: str) -> list[tuple[str, str]]:
    """The parts of ``text``, each with the separator that follows it ("" at the end)."""
    parts, start = [], 0
    for m in _CUT.finditer(text):
        if m.group().startswith("“"):
            continue
        parts.append((text[start : m.start()], m.group()))
        start = m.end()
    parts.append((text[start:], ""))
    return [(p, s) for p, s in parts if p or s]


@lru_cache(maxsize=16_384)
def _part(part: str, lang: str) -> str | None:
    """One part in ``lang``, or None when no rule knows it."""
    catalogue = translations(lang)
    if part in EXACT:
        return catalogue.gettext(part)
    if any(keep.fullmatch(part) for keep in _KEEP):
        return part
    feature = _FEATURE.fullmatch(part)
    if feature:
        name = _feature(feature["feature"], lang)
        if name is not None:
            value = feature["value"]
            return f"{name} = {catalogue.gettext(value) if value in VALUES else value}"
    words = part.split(", ")
    if all(w in LEXICAL for w in words):
        return _JOINS[lang][", "].join(catalogue.gettext(w) for w in words)
    return _by_rules(part, lang, _compiled(whole=False))


def _whole(text: str) -> dict[str, str] | None:
    """The named groups of the whole-text rule ``text`` matches, if any."""
    for pattern, _msg, _count in _compiled(whole=True):
        m = pattern.fullmatch(text)
        if m is not None:
            return m.groupdict()
    return None


def _by_rules(part: str, lang: str, rules: Compiled) -> str | None:
    """``part`` rendered by the first of ``rules`` it matches, or None."""
    catalogue = translations(lang)
    for pattern, msg, count in rules:
        m = pattern.fullmatch(part)
        if m is None:
            continue
        values = m.groupdict()
        for name in _NESTED:
            if values.get(name):
                values[name] = translate(values[name], lang)
        if values.get("place") in EXACT:
            values["place"] = catalogue.gettext(values["place"])
        try:
            if isinstance(msg, tuple):
                n = int(values[count or "n"].replace(",", ""))
                return catalogue.ngettext(msg[0], msg[1], n) % values
            return catalogue.gettext(msg) % values
        except (KeyError, ValueError, TypeError):
            # A translation whose placeholders do not fit: the stored English, not an error page.
            return None
    return None


def _feature(name: str, lang: str) -> str | None:
    """A detector's feature word in ``lang`` (a contacts' mean of one, recursively)."""
    if name in FEATURES:
        return translations(lang).gettext(name)
    prefix, msg = CONTACTS_MEAN
    if name.startswith(prefix):
        inner = _feature(name.removeprefix(prefix), lang)
        if inner is not None:
            return translations(lang).gettext(msg) % {"feature": inner}
    return None

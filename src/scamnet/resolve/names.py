"""Comparable forms of a person's name, whatever script or spelling it came in.

A name in 汉字 becomes its pinyin and its Wade–Giles spelling, each with the
family name first and last. A Latin name becomes its letters in the order
written and with the last word moved to the front (passports often put the
family name last). Two names are then compared on the best pair of forms, so
``明学昌``, ``Ming Xuechang``, ``XUECHANG MING`` and ``Ming Hsueh-chang`` all
meet, and a typo costs a little similarity instead of the match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import JaroWinkler

from scamnet.core.entities import Script
from scamnet.core.romanise import plain, wade_giles


@dataclass(frozen=True, slots=True)
class NameForms:
    """The written name, its script, and the Latin letter strings it is compared on."""

    text: str
    script: Script
    forms: tuple[str, ...]

    @property
    def key(self) -> str:
        """The first form: pinyin family-first for 汉字, the letters as written otherwise."""
        return self.forms[0] if self.forms else ""


@lru_cache(maxsize=200_000)
def name_forms(text: str) -> NameForms:
    script = Script.detect(text)
    if script is Script.HAN:
        han = "".join(c for c in text if not c.isspace())
        syllables = [plain(s) for s in lazy_pinyin(han, style=Style.NORMAL)]
        syllables = [s for s in syllables if s]
        wg = [plain(wade_giles(s)) for s in syllables]
        forms = _orders(syllables) + _orders(wg)
    else:
        words = [plain(w) for w in text.replace("-", "").split()]
        forms = _orders([w for w in words if w])
    return NameForms(text, script, tuple(dict.fromkeys(forms)))


def _orders(parts: list[str]) -> list[str]:
    if not parts:
        return []
    if len(parts) == 1:
        return [parts[0]]
    return ["".join(parts), "".join(parts[1:] + parts[:1]), "".join(parts[-1:] + parts[:-1])]


def name_similarity(a: str, b: str) -> float:
    """1.0 for the same name, near 1 for a spelling variant, lower as they differ.

    Two 汉字 names are compared on their characters too: homophones such as 张伟
    and 章伟 share every Latin form but are different names.
    """
    fa, fb = name_forms(a), name_forms(b)
    if fa.script is Script.HAN and fb.script is Script.HAN:
        ha = "".join(a.split())
        hb = "".join(b.split())
        if ha == hb:
            return 1.0
        chars = JaroWinkler.similarity(ha, hb)
        return min(chars, _best(fa.forms, fb.forms))
    return _best(fa.forms, fb.forms)


def _best(xs: tuple[str, ...], ys: tuple[str, ...]) -> float:
    return max((JaroWinkler.similarity(x, y) for x in xs for y in ys), default=0.0)

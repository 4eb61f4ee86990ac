"""Comparable forms of a person's name, whatever script or spelling it came in.

A name in 汉字 becomes its pinyin and its Wade–Giles spelling, each with the
family name first and last. A Latin name becomes its letters in the order
written and with the last word moved to the front (passports often put the
family name last). The first form is the name's *key*: matching blocks on it.

The forms are a pure function of the text, as an identifier's graph key is of
its value, so the store keeps each name's key next to the name when it writes
it (matching then need not romanise every known name again, issue 13). If this
function ever changes, a migration must recompute the stored keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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


# Forms the store kept with the names it read (see :func:`keep_forms`), by name text.
_KEPT: dict[str, NameForms] = {}
MAX_KEPT = 500_000  # names; beyond, the oldest half is forgotten


def name_forms(text: str) -> NameForms:
    """The forms ``text`` is compared on: as the store kept them, or computed (and
    cached: a name recurs across records)."""
    kept = _KEPT.get(text)
    return kept if kept is not None else _romanised(text)


def keep_forms(text: str, stored: str) -> None:
    """Remember the forms the store kept for ``text`` (:func:`stored_forms` of it), so
    comparing the name does not romanise it again."""
    if len(_KEPT) >= MAX_KEPT:
        for old in list(_KEPT)[: MAX_KEPT // 2]:
            del _KEPT[old]
    _KEPT[text] = NameForms(text, Script.detect(text), tuple(stored.split()))


def stored_forms(text: str) -> str:
    """The forms of ``text`` as the store keeps them: space-separated (no form holds a
    space), the key first."""
    return " ".join(name_forms(text).forms)


def forget_name_forms() -> None:
    """Empty the caches, as a fresh process starts (benchmarks, tests)."""
    _KEPT.clear()
    _romanised.cache_clear()


@lru_cache(maxsize=200_000)
def _romanised(text: str) -> NameForms:
    script = Script.detect(text)
    if script is Script.HAN:
        # Imported here: pypinyin's dictionaries take a while to load, and a command
        # that only lists cases never romanises a name.
        from pypinyin import Style, lazy_pinyin

        han = "".join(c for c in text if not c.isspace())
        syllables = [plain(s) for s in lazy_pinyin(han, style=Style.NORMAL)]
        syllables = [s for s in syllables if s]
        wg = [plain(wade_giles(s)) for s in syllables]
        forms = _orders(syllables) + _orders(wg)
    else:
        words = [plain(w) for w in text.replace("-", "").split()]
        forms = _orders([w for w in words if w])
    return NameForms(text, script, tuple(dict.fromkeys(forms)))


def name_key(text: str) -> str:
    """The key a name is blocked on in matching (what the store keeps with each name)."""
    return name_forms(text).key


def _orders(parts: list[str]) -> list[str]:
    if not parts:
        return []
    if len(parts) == 1:
        return [parts[0]]
    return ["".join(parts), "".join(parts[1:] + parts[:1]), "".join(parts[-1:] + parts[:-1])]

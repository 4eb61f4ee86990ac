"""Comparable forms of a person's name, whatever script or spelling it came in.

A name in 汉字 becomes its pinyin and its Wade–Giles spelling, each with the
family name first and last. A Latin name becomes its letters in the order
written and with the last word moved to the front (passports often put the
family name last). Two names are then compared on the best pair of forms, so
``明学昌``, ``Ming Xuechang``, ``XUECHANG MING`` and ``Ming Hsueh-chang`` all
meet, and a typo costs a little similarity instead of the match.

The forms themselves are :mod:`scamnet.core.names`: the store keeps each name's
key with the name, and matching reads it instead of romanising again.
"""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler

from scamnet.core.entities import Script
from scamnet.core.names import (
    NameForms,
    forget_name_forms,
    keep_forms,
    name_forms,
    name_key,
    stored_forms,
)

__all__ = ["NameForms", "forget_name_forms", "keep_forms", "name_forms", "name_key",
           "name_similarity", "stored_forms"]  # fmt: skip


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

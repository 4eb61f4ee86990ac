"""Names across scripts: pinyin, Wade–Giles and the variants agencies write."""

from __future__ import annotations

import random
from datetime import date

import pytest

from scamnet.simulate.names import (
    _ID_CHECK,
    _ID_WEIGHTS,
    VARIANTS,
    latin_variant,
    resident_id,
    standard_pinyin,
    wade_giles,
)


@pytest.mark.parametrize(
    ("pinyin", "wg"),
    [("xiong", "hsiung"), ("qing", "ch'ing"), ("zhong", "chung"), ("zi", "tzu"), ("ming", "ming"),
     ("xue", "hsüeh"), ("chang", "ch'ang"), ("guo", "kuo"), ("ri", "jih"), ("bai", "pai")],
)  # fmt: skip
def test_wade_giles(pinyin: str, wg: str) -> None:
    assert wade_giles(pinyin) == wg


def test_standard_pinyin() -> None:
    assert standard_pinyin("明学昌") == "Ming Xuechang"
    assert standard_pinyin("明学昌", tones=True) == "Míng Xuéchāng"


def test_every_variant_differs_from_the_han_and_reads_latin() -> None:
    rng = random.Random(0)
    spellings = {v: latin_variant("明学昌", v, rng) for v in VARIANTS}
    assert spellings["swapped"] == "Xuechang Ming"
    assert spellings["caps"] == "MING XUECHANG"
    assert spellings["wade_giles"] in ("Ming Hsüeh-ch'ang", "Ming Hsueh-chang")
    assert all(s.isascii() or v in ("tones", "wade_giles") for v, s in spellings.items())


def test_resident_ids_carry_a_valid_check_character() -> None:
    rng = random.Random(1)
    for _ in range(50):
        rid = resident_id(rng, date(1988, 3, 9), female=False)
        assert len(rid) == 18
        assert rid[6:14] == "19880309"
        total = sum(int(d) * w for d, w in zip(rid[:17], _ID_WEIGHTS, strict=True))
        assert rid[17] == _ID_CHECK[total % 11]
        assert int(rid[16]) % 2 == 1  # odd sequence digit: male

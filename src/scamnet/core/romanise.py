"""Latin spellings of Chinese syllables other than Hanyu Pinyin.

Older documents and some foreign services write names in Wade–Giles. The
simulator uses this to produce such spellings and entity resolution uses it to
compare them with pinyin, so it lives in the core.
"""

from __future__ import annotations

import unicodedata

_WG_SPECIAL = {
    "zhi": "chih", "chi": "ch'ih", "shi": "shih", "ri": "jih", "zi": "tzu", "ci": "tz'u",
    "si": "ssu", "er": "erh", "yi": "i", "you": "yu", "yan": "yen", "ye": "yeh", "yue": "yüeh",
    "yuan": "yüan", "yun": "yün", "yu": "yü", "yong": "yung", "ju": "chü", "qu": "ch'ü",
    "xu": "hsü", "jue": "chüeh", "que": "ch'üeh", "xue": "hsüeh", "juan": "chüan",
    "quan": "ch'üan", "xuan": "hsüan", "jun": "chün", "qun": "ch'ün", "xun": "hsün",
    "ge": "ko", "ke": "k'o", "he": "ho", "e": "o",
}  # fmt: skip
_WG_INITIALS = [
    ("zh", "ch"), ("ch", "ch'"), ("sh", "sh"), ("b", "p"), ("p", "p'"), ("m", "m"), ("f", "f"),
    ("d", "t"), ("t", "t'"), ("n", "n"), ("l", "l"), ("g", "k"), ("k", "k'"), ("h", "h"),
    ("j", "ch"), ("q", "ch'"), ("x", "hs"), ("r", "j"), ("z", "ts"), ("c", "ts'"), ("s", "s"),
    ("w", "w"), ("y", "y"),
]  # fmt: skip


def wade_giles(syllable: str) -> str:
    """Wade–Giles spelling of one toneless pinyin syllable (an approximation of the
    standard table, good enough to produce the spellings older documents use)."""
    syl = syllable.lower().replace("v", "ü")
    if syl in _WG_SPECIAL:
        return _WG_SPECIAL[syl]
    py, wg = next(((p, w) for p, w in _WG_INITIALS if syl.startswith(p)), ("", ""))
    final = syl[len(py) :]
    final = (
        final.replace("ong", "ung").replace("ian", "ien").replace("ie", "ieh").replace("ui", "uei")
    )
    if py in ("g", "k", "h") and final == "e":
        final = "o"
    return wg + final


def plain(text: str) -> str:
    """Lower case ASCII letters only: tone marks, umlauts, apostrophes and spaces dropped."""
    folded = unicodedata.normalize("NFKD", text.replace("ü", "u").replace("Ü", "U"))
    return "".join(c for c in folded.lower() if "a" <= c <= "z")

"""Domains that imitate a brand: look-alike characters, typos, and IDN homographs.

Both sides of a comparison are reduced to a *skeleton* (Unicode TR39's idea, with
a small table of the confusables phishing uses): NFKC folds full-width letters,
then digits and Cyrillic or Greek letters that look Latin become the letter they
imitate, and "rn", "vv" and "cl" become "m", "w" and "d". "amaz0n", "paypa1",
"аpple" (Cyrillic а) and "arnazon" then meet their brand. Typos of a long brand
name are caught when they are the squatter's kind: a doubled or dropped letter
("paypall") or two letters swapped ("amzaon").
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import DamerauLevenshtein

# Brands worth imitating. Short or generic names ("jd", "bank") are left out here:
# as look-alike targets they would match ordinary words.
BRANDS = (
    "paypal", "apple", "amazon", "microsoft", "google", "facebook", "netflix", "icbc",
    "alipay", "taobao", "wechat", "chase", "wellsfargo", "ebay", "binance", "coinbase",
    "instagram", "whatsapp", "telegram", "outlook", "office365",
)  # fmt: skip
_SINGLE = str.maketrans({
    "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "i": "l",
    "|": "l",
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "l", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ӏ": "l", "к": "k", "ո": "n", "ս": "u", "ɡ": "g", "ԛ": "q", "ԝ": "w",
    # Greek
    "ο": "o", "α": "a", "ν": "v", "ρ": "p", "ι": "l", "κ": "k", "υ": "u", "τ": "t", "ε": "e",
})  # fmt: skip
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_TOKENS = re.compile(r"[.\-_]+")


def skeleton(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower().translate(_SINGLE)
    for pair, letter in _PAIRS:
        folded = folded.replace(pair, letter)
    return folded


_BRAND_SKELETONS = {skeleton(b): b for b in BRANDS}


def imitated_brand(domain: str) -> str | None:
    """The brand a registrable domain (``amaz0n-pay.cc``) imitates without being it."""
    name = domain.split(".", 1)[0] if "." in domain else domain
    for token in _TOKENS.split(_unicode(name)):
        if len(token) < 4 or token in BRANDS:
            continue
        shape = skeleton(token)
        for brand_shape, brand in _BRAND_SKELETONS.items():
            if len(brand) >= 6 and _typo(token, brand):
                return brand
            if brand in token:
                continue  # the brand spelt right inside a longer word is another feature
            if brand_shape in shape:
                return brand
    return None


def _typo(token: str, brand: str) -> bool:
    """A doubled or dropped repeated letter ("paypall", "gogle") or two neighbours
    swapped ("amzaon"). Other one-letter changes are left out: they turn brands into
    ordinary words ("telegram" and "telegraf", "apple" and "apply")."""
    if DamerauLevenshtein.distance(token, brand) != 1:
        return False
    if len(token) == len(brand):
        return sorted(token) == sorted(brand)  # a transposition, not a substitution
    longer, shorter = (token, brand) if len(token) > len(brand) else (brand, token)
    extra = next((i for i in range(len(shorter)) if longer[i] != shorter[i]), len(shorter))
    neighbours = longer[extra - 1 : extra] + longer[extra + 1 : extra + 2]
    return longer[extra] in neighbours


def is_homograph(host: str) -> bool:
    """An internationalised label made to read as Latin: every non-ASCII letter in it
    looks like a Latin one, or Latin and look-alike letters are mixed."""
    for label in host.lower().split("."):
        text = _unicode(label)
        if text.isascii():
            continue
        odd = [c for c in text if not c.isascii()]
        if all(c.translate(_SINGLE).isascii() for c in odd):
            return True
    return False


def _unicode(label: str) -> str:
    """A punycode label decoded (``xn--pple-43d`` → ``аpple``); others as they are."""
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label

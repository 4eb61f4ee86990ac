"""Lexical features of a URL: what a phishing link looks like without visiting it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import numpy as np

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers import Url
from scamnet.detect.lookalike import imitated_brand, is_homograph

BRANDS = (
    "paypal", "apple", "amazon", "microsoft", "google", "facebook", "netflix", "bank",
    "icbc", "alipay", "taobao", "jd", "wechat", "chase", "wellsfargo", "ebay", "dhl",
)  # fmt: skip
WORDS = ("login", "signin", "verify", "account", "secure", "update", "confirm", "webscr",
         "wallet", "refund", "password")  # fmt: skip
LEXICAL_NAMES = [
    "url_length", "host_length", "path_depth", "digits_in_host", "hyphens_in_host",
    "subdomain_depth", "ip_host", "idn_host", "at_sign", "brand_not_in_domain",
    "phishing_words", "query_length", "no_registrable_domain", "brand_lookalike",
    "idn_homograph",
]  # fmt: skip
# The features of models trained before look-alikes and homographs were added.
LEXICAL_V1 = tuple(LEXICAL_NAMES[:13])
_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def lexical(url: str) -> list[float]:
    text = url.strip()
    parts = urlsplit(text if "://" in text else "http://" + text)
    host = (parts.hostname or "").lower()
    try:
        domain = Url.parse(text).domain
    except InvalidIdentifier:
        domain = ""
    brand_elsewhere = any(b in text.lower() and b not in domain for b in BRANDS)
    # Counts enter on a log scale, like the lengths: the SVM shares one margin between
    # them and TF-IDF weights below 1, and raw counts (a host with 30 digits) kept
    # liblinear from converging.
    counts = [
        parts.path.count("/"),
        sum(c.isdigit() for c in host),
        host.count("-"),
        max(0, host.count(".") - domain.count(".")) if domain else host.count("."),
        sum(w in text.lower() for w in WORDS),
    ]
    depth, digits, hyphens, subdomains, words = (float(np.log1p(c)) for c in counts)
    return [
        np.log1p(len(text)),
        np.log1p(len(host)),
        depth,
        digits,
        hyphens,
        subdomains,
        float(bool(_IP.match(host))),
        float("xn--" in host or not host.isascii()),
        float("@" in text),
        float(brand_elsewhere),
        words,
        np.log1p(len(parts.query)),
        float(not domain),
        float(imitated_brand(domain) is not None) if domain else 0.0,
        float(is_homograph(host)),
    ]


def lexical_matrix(urls: list[str], names: tuple[str, ...] | None = None) -> np.ndarray:
    """The lexical features of ``urls``: all of them, or the columns ``names``."""
    full = np.array([lexical(u) for u in urls], dtype=np.float32).reshape(len(urls), -1)
    if names is None:
        return full
    return full[:, [LEXICAL_NAMES.index(n) for n in names]]

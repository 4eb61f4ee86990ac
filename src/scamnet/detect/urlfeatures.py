"""Lexical features of a URL: what a phishing link looks like without visiting it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import numpy as np

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers import Url

BRANDS = (
    "paypal", "apple", "amazon", "microsoft", "google", "facebook", "netflix", "bank",
    "icbc", "alipay", "taobao", "jd", "wechat", "chase", "wellsfargo", "ebay", "dhl",
)  # fmt: skip
WORDS = ("login", "signin", "verify", "account", "secure", "update", "confirm", "webscr",
         "wallet", "refund", "password")  # fmt: skip
LEXICAL_NAMES = [
    "url_length", "host_length", "path_depth", "digits_in_host", "hyphens_in_host",
    "subdomain_depth", "ip_host", "idn_host", "at_sign", "brand_not_in_domain",
    "phishing_words", "query_length", "no_registrable_domain",
]  # fmt: skip
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
    return [
        np.log1p(len(text)),
        np.log1p(len(host)),
        float(parts.path.count("/")),
        float(sum(c.isdigit() for c in host)),
        float(host.count("-")),
        float(max(0, host.count(".") - domain.count("."))) if domain else float(host.count(".")),
        float(bool(_IP.match(host))),
        float("xn--" in host or not host.isascii()),
        float("@" in text),
        float(brand_elsewhere),
        float(sum(w in text.lower() for w in WORDS)),
        np.log1p(len(parts.query)),
        float(not domain),
    ]


def lexical_matrix(urls: list[str]) -> np.ndarray:
    return np.array([lexical(u) for u in urls], dtype=np.float32).reshape(len(urls), -1)

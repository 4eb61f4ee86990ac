"""SMS and chat messages: scam messages by fraud type in Chinese, English and French,
amid ordinary messages (codes, deliveries, bank notices, family chat)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from scamnet.core.identifiers.wallet import tron_address
from scamnet.simulate.phrases import FILL, NORMAL, SCAM

LANG_WEIGHTS = {"zh": 0.8, "en": 0.12, "fr": 0.08}
SCAM_TLDS = ["top", "vip", "xyz", "cc", "icu", "shop", "club", "net", "com"]
BRANDS = ["icbc", "ccb", "jd", "taobao", "alipay", "gov-cn", "police", "12306", "amazon", "paypal"]


@dataclass(frozen=True, slots=True)
class GeneratedMessage:
    text: str
    fraud_type: str  # "normal" or a FraudType value
    lang: str
    url: str | None


def scam_domains(rng: random.Random, n: int) -> list[str]:
    """Domains a group buys: brand look-alikes and random strings on cheap TLDs."""
    out = []
    for _ in range(n):
        brand = rng.choice(BRANDS)
        style = rng.randrange(4)
        if style == 0:
            name = f"{brand}-{rng.choice(['refund', 'kefu', 'verify', 'safe', 'service'])}"
        elif style == 1:
            name = f"{brand}{rng.randrange(10, 999)}"
        elif style == 2:  # letters swapped for look-alike digits
            name = brand.replace("o", "0").replace("l", "1").replace("i", "1")
        else:
            name = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(rng.randint(5, 9)))
        out.append(f"{name}.{rng.choice(SCAM_TLDS)}")
    return out


class MessageWriter:
    """Writes one message at a time; all randomness comes from the given generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _fill(self, template: str, values: dict[str, str]) -> str:
        def repl(m: re.Match[str]) -> str:
            key = m.group(1)
            if key in values:
                return values[key]
            if key in FILL:
                return self.rng.choice(FILL[key])
            return self._number(key)

        return re.sub(r"\{(\w+)\}", repl, template)

    def _number(self, key: str) -> str:
        r = self.rng
        if key == "amount":
            base = r.choice([500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 50000])
            return str(base * r.randint(1, 3))
        if key in ("fee", "hours", "pct", "last4", "code", "people", "balance", "qq"):
            lo, hi = {"fee": (5, 500), "hours": (2, 48), "pct": (3, 90), "last4": (1000, 9999),
                      "code": (100000, 999999), "people": (300, 20000), "balance": (10, 99999),
                      "qq": (10000000, 999999999)}[key]  # fmt: skip
            return str(r.randint(lo, hi))
        if key == "date":
            return f"{r.randint(10, 12)}月{r.randint(1, 28)}日"
        if key == "time":
            return f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}"
        if key == "wechat":
            return "".join(
                r.choice("abcdefghijkmnpqrstuvwxyz0123456789_") for _ in range(r.randint(6, 10))
            )
        if key == "account":
            return "62" + "".join(r.choice("0123456789") for _ in range(r.choice([14, 17])))
        return key

    def scam(self, fraud_type: str, lang: str, url: str, phone: str) -> GeneratedMessage:
        pools = SCAM[lang][fraud_type]
        parts = [
            self.rng.choice(slot) for slot in pools if self.rng.random() < 0.92 or slot is pools[-2]
        ]
        text = self._fill("".join(parts), {"url": url, "phone": phone})
        if "{url}" not in "".join(parts) and self.rng.random() < 0.3:
            text += (" " if lang != "zh" else "") + url
        return GeneratedMessage(
            self._noise(text, lang), fraud_type, lang, url if url in text else None
        )

    def normal(self, lang: str) -> GeneratedMessage:
        text = self._fill(self.rng.choice(NORMAL[lang][0]), {})
        url = next((u for u in FILL["shop_url"] if u in text), None)
        return GeneratedMessage(text, "normal", lang, url)

    def _noise(self, text: str, lang: str) -> str:
        r = self.rng.random()
        if r < 0.05 and lang == "zh" and "http" not in text:
            # spaced-out characters, used to slip past keyword filters
            return " ".join(text)
        if r < 0.10:
            return text.replace("，", ",").replace("。", ".")
        if r < 0.13:
            return text + self.rng.choice(["😊", "🔥", "!!", "~"])
        return text


def wallet_for(rng: random.Random) -> str:
    return tron_address(bytes(rng.randrange(256) for _ in range(20)))

"""Reputation of URLs from victim reports, added to what the URL itself says.

A report that names a URL is evidence about the URL's registrable domain (scam
campaigns rotate paths and subdomains under one bought domain). Each report is
taken as independent evidence that leaves half of the remaining doubt: with
``n`` reports the score becomes ``1 - (1 - s) / 2**n`` (a noisy-OR), so one report
lifts an unremarkable URL to at least 0.5 and three to at least 0.875, and a
URL the model already finds bad stays bad. Victims misremember and scammers
abuse shared hosts, so one report never makes a score 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers import Url

DOUBT_LEFT_PER_REPORT = 0.5


def domain_of(url: str) -> str | None:
    try:
        return Url.parse(url).domain or None
    except InvalidIdentifier:
        return None


def reported_domains(urls: Iterable[str | None]) -> Counter[str]:
    """How many reports name each registrable domain (reports without a URL skipped)."""
    counts: Counter[str] = Counter()
    for url in urls:
        domain = domain_of(url) if url else None
        if domain:
            counts[domain] += 1
    return counts


@dataclass(frozen=True)
class Reputation:
    reports: Counter[str]

    def apply(self, urls: list[str], scores: list[float], why: list[str]
              ) -> tuple[list[float], list[str]]:  # fmt: skip
        """Scores lifted by the reports naming each URL's domain, and the reason added."""
        out_scores, out_why = [], []
        for url, score, reason in zip(urls, scores, why, strict=True):
            domain = domain_of(url)
            n = self.reports.get(domain, 0) if domain else 0
            if n == 0:
                out_scores.append(score)
                out_why.append(reason)
                continue
            out_scores.append(round(1.0 - (1.0 - score) * DOUBT_LEFT_PER_REPORT**n, 6))
            said = f"named in {n} victim report{'s' if n > 1 else ''} ({domain})"
            out_why.append(f"{said}; {reason}" if reason else said)
        return out_scores, out_why

"""What translating the stored English texts costs the pages: every alert explanation,
member evidence and compound name of a data directory, through ``web.wording.translate``
into French and Chinese, first with empty caches (a server's first pages) and then warm
(every later page). Also counts the parts left unmatched (shown in English).

    python bench/web_wording.py --data-dir /tmp/webdemo-full
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    from scamnet.settings import Settings
    from scamnet.store import Store
    from scamnet.store.alerts import AlertRepository
    from scamnet.store.network import NetworkRepository
    from scamnet.web import wording

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    store = Store(Settings.from_env(args.data_dir).database_url)
    with store.session() as s:
        groups = NetworkRepository(s).groups()
        texts = {
            "alert explanations": [a.explanation for a in AlertRepository(s).top(limit=10**7)],
            "member evidence": [
                m.evidence for g in groups for m in NetworkRepository(s).members(g.id)
            ],
            "compound names": [site.name for g in groups for site in g.sites],
        }
    for name, found in texts.items():
        parts = sum(len(wording._cut(t)) for t in found)
        left = sum(len(wording.unmatched(t)) for t in found)
        for lang in ("fr", "zh"):
            wording._translate.cache_clear()
            wording._part.cache_clear()
            began = time.perf_counter()
            for t in found:
                wording.translate(t, lang)
            cold = time.perf_counter() - began
            began = time.perf_counter()
            for t in found:
                wording.translate(t, lang)
            warm = time.perf_counter() - began
            print(f"{name}\t{lang}\ttexts {len(found)}\tparts {parts}\tunmatched {left}\t"
                  f"cold {1e6 * cold / max(len(found), 1):.1f} µs/text\t"
                  f"warm {1e6 * warm / max(len(found), 1):.2f} µs/text")  # fmt: skip


if __name__ == "__main__":
    main()

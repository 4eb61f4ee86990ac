"""Turning scores into alerts: subscribers from their features, messages from the lake."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from scamnet.detect.detectors import ALGORITHMS, Trained, inputs_from_table, score
from scamnet.detect.reputation import Reputation
from scamnet.engine.base import AnalyticsEngine
from scamnet.store.alerts import Alert


def alerts_from(kind: str, trained: Trained, table: pa.Table, subject: str, window: str,
                reputation: Reputation | None = None) -> list[Alert]:  # fmt: skip
    """Score ``table`` and keep the rows the model calls not normal, as alerts."""
    if table.num_rows == 0:
        return []
    result = score(trained, inputs_from_table(kind, table), reputation=reputation)
    subjects = [str(v) for v in table.column(subject).to_pylist()]
    return [
        Alert(kind, s, float(sc), lab, ALGORITHMS[kind], window, why)
        for s, sc, lab, why in zip(subjects, result["score"], result["label"], result["why"],
                                   strict=True)
        if lab != trained.normal
    ]  # fmt: skip


def message_table(engine: AnalyticsEngine, start: date, end: date) -> pa.Table:
    """Messages sent in [start, end] (UTC days), with an id and their text."""
    # start and end are dates, not text: nothing from a user reaches the SQL.
    rel = engine.sql(
        "SELECT sender || '|' || CAST(sent_at AS VARCHAR) AS message_id, sender, text "
        f"FROM messages WHERE CAST(timezone('UTC', sent_at) AS DATE) BETWEEN DATE '{start}' "
        f"AND DATE '{end}'"
    )
    return engine.to_arrow(rel)


# URLs as they appear in texts: ASCII URL characters only, so the Chinese or Thai
# text that often follows a link without a space is not taken into it.
URL_PATTERN = r"https?://[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+"


def url_table(engine: AnalyticsEngine, start: date, end: date) -> pa.Table:
    """The distinct URLs in messages sent in [start, end] (UTC days), with how often
    each was sent; trailing punctuation is not part of a URL."""
    rel = engine.sql(
        "SELECT url, count(*) AS messages FROM ("
        f"  SELECT rtrim(unnest(regexp_extract_all(text, '{URL_PATTERN}')), '.,;:!?)') AS url"
        "   FROM messages WHERE CAST(timezone('UTC', sent_at) AS DATE) "
        f"  BETWEEN DATE '{start}' AND DATE '{end}'"
        ") WHERE url <> '' GROUP BY url ORDER BY url"
    )
    return engine.to_arrow(rel)

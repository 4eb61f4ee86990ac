"""Turning scores into alerts: subscribers from their features; messages, URLs and
accounts from the lake."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from scamnet.detect.detectors import Inputs, Trained, inputs_from_table, score
from scamnet.detect.money import main_currency
from scamnet.detect.reputation import Reputation
from scamnet.engine.base import AnalyticsEngine
from scamnet.store.alerts import Alert


def alerts_from(kind: str, trained: Trained, table: pa.Table, subject: str, window: str,
                reputation: Reputation | None = None) -> list[Alert]:  # fmt: skip
    """Score ``table`` and keep the rows the model calls not normal, as alerts."""
    if table.num_rows == 0:
        return []
    subjects = [str(v) for v in table.column(subject).to_pylist()]
    return _flagged(trained, inputs_from_table(kind, table), subjects, window, reputation)


def _flagged(trained: Trained, inputs: Inputs, subjects: list[str], window: str,
             reputation: Reputation | None = None) -> list[Alert]:  # fmt: skip
    result = score(trained, inputs, reputation=reputation)
    rows = zip(subjects, result["score"], result["label"], result["why"], strict=True)
    algorithm = trained.algorithm
    return [Alert(trained.kind, s, float(sc), lab, algorithm, window, why)
            for s, sc, lab, why in rows if lab != trained.normal]  # fmt: skip


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


def transfer_table(engine: AnalyticsEngine, start: date, end: date) -> pa.Table:
    """Transfers made in [start, end] (UTC days) in the account detector's terms:
    ``src``, ``dst``, ``value`` and ``time`` in days since 1970 (AMLSim's steps are
    days, so a model trained on either reads the other's pace alike), and the
    ``currency`` each amount is in (for the explanations)."""
    # "at" is quoted: it is also a keyword (AT TIME ZONE).
    rel = engine.sql(
        'SELECT source AS src, target AS dst, CAST(amount AS DOUBLE) AS "value", '
        'epoch("at") / 86400.0 AS "time", currency FROM transfers '
        f"WHERE CAST(timezone('UTC', \"at\") AS DATE) BETWEEN DATE '{start}' AND DATE '{end}' "
        'ORDER BY "at", source, target'
    )
    return engine.to_arrow(rel)


def account_inputs(transfers: pa.Table, accounts: list[str] | None = None,
                   labels: list[str] | None = None) -> Inputs:  # fmt: skip
    """The account detector's inputs: ``accounts`` (default: everyone in the transfers),
    with the flows of the whole window behind their features."""
    src = [str(v) for v in transfers.column("src").to_pylist()]
    dst = [str(v) for v in transfers.column("dst").to_pylist()]
    ids = accounts if accounts is not None else list(dict.fromkeys([*src, *dst]))
    table = pa.table({"nodeid": ids})
    inputs = Inputs("account", table, ids, labels=labels, extra={"exclude": {"nodeid"}})
    inputs.tx = {"src": src, "dst": dst,
                 "value": transfers.column("value").to_numpy(zero_copy_only=False),
                 "time": transfers.column("time").to_numpy(zero_copy_only=False)}  # fmt: skip
    if "currency" in transfers.column_names:
        # Each side of a transfer counts towards its account's currency.
        cur = transfers.column("currency").to_pylist()
        inputs.extra["currency_of"] = main_currency([*src, *dst], [*cur, *cur])
    return inputs


def account_alerts(trained: Trained, transfers: pa.Table, window: str) -> list[Alert]:
    """Alerts on the accounts of ``transfers`` that the model calls mules or controllers."""
    if transfers.num_rows == 0:
        return []
    inputs = account_inputs(transfers)
    assert inputs.ids is not None
    return _flagged(trained, inputs, inputs.ids, window)

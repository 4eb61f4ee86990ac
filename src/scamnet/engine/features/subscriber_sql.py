"""The subscriber features, written once as SQL over per-day partial aggregates.

Day partials are small sums per (caller, callee), per (SIM, device), per (SIM,
cell) and per (sender, recipient). A feature window is aggregated from them, so
adding a day computes only that day's partials: the raw records of the other
days are not read again. The same SQL runs cold over views of the raw records.

This SQL is the one definition of each feature. It is written in DuckDB's
dialect; the Spark engine renders it with SQLGlot (``scamnet.engine.dialect``),
and the equivalence tests check that both engines give the same table. Sums
are cast to BIGINT so that partials have one schema whichever engine wrote
them (DuckDB sums integers into HUGEINT, Spark into BIGINT).
"""

from __future__ import annotations

SHORT_CALL_S = 30  # "one-ring" and hang-up calls; the threshold used in fraud-phone studies
NIGHT_END_HOUR = 6  # 00:00–05:59 local time counts as night


# Numbers are E.164 strings in the lake; inside the feature pipeline they are the same
# digits as BIGINT (at most 15 digits: they fit), which makes every join and grouping
# two to three times faster. The window turns them back into E.164 text.
def _num(col: str) -> str:
    return f"CAST(substr({col}, 2) AS BIGINT)"


def local_seconds(tz_name: str, offset_s: int | None) -> str:
    """SQL for the seconds since local midnight of ``start``.

    A zone with one fixed offset (China Standard Time has had no daylight saving
    since 1991) needs only arithmetic, several times cheaper than a time-zone
    conversion per row; other zones take the general conversion.
    """
    if offset_s is not None:
        # floor, not a cast: casting rounds in DuckDB and truncates in Spark, and
        # 05:59:59.7 is still 05:59.
        return f"((CAST(floor(epoch(start)) AS BIGINT) + {int(offset_s)}) % 86400)"
    local = f"timezone('{tz_name}', start)"
    return f"(hour({local}) * 3600 + minute({local}) * 60 + second({local}))"


# Each partial: a query over one day of records. {calls} / {messages} name the day's views.
PARTIALS: dict[str, str] = {
    "pairs": f"""
        SELECT {_num("caller")} AS caller, {_num("callee")} AS callee, count(*) AS n,
               CAST(sum(CASE WHEN duration_s < {SHORT_CALL_S} THEN 1 ELSE 0 END) AS BIGINT)
                   AS n_short,
               CAST(sum(duration_s) AS BIGINT) AS dur,
               CAST(sum(CASE WHEN {{local_seconds}} < {NIGHT_END_HOUR * 3600}
                   THEN 1 ELSE 0 END) AS BIGINT) AS n_night
        FROM {{calls}} GROUP BY 1, 2""",
    "durations": f"""
        SELECT {_num("caller")} AS caller, duration_s FROM {{calls}}""",
    "devices": f"""
        SELECT {_num("caller")} AS sim, imei, count(*) AS n FROM {{calls}}
        WHERE imei IS NOT NULL GROUP BY 1, 2""",
    "cells": f"""
        SELECT {_num("caller")} AS sim, cell_id, count(*) AS n FROM {{calls}}
        WHERE cell_id IS NOT NULL GROUP BY 1, 2""",
    "sms": f"""
        SELECT {_num("sender")} AS sender, {_num("recipient")} AS recipient, count(*) AS n,
               CAST(sum(CASE WHEN regexp_matches(text, 'https?://|www\\.') THEN 1 ELSE 0 END)
                   AS BIGINT) AS n_url
        FROM {{messages}} GROUP BY 1, 2""",
}

# The window: {pairs}, {durations} … name the partials (with a ``day`` column).
WINDOW = """
WITH p AS (SELECT * FROM {pairs} WHERE day BETWEEN DATE '{start}' AND DATE '{end}'),
pair_tot AS (SELECT caller, callee, sum(n) AS n, min(day) AS first_day FROM p GROUP BY 1, 2),
out_ AS (
    SELECT caller AS msisdn, sum(n) AS calls_out, sum(n_short) AS n_short, sum(dur) AS dur,
           sum(n_night) AS n_night
    FROM p GROUP BY 1
),
tops AS (
    SELECT caller AS msisdn, count(*) AS distinct_callees, max(n) AS top_n FROM pair_tot GROUP BY 1
),
in_ AS (SELECT callee AS msisdn, sum(n) AS calls_in FROM p GROUP BY 1),
back AS (
    SELECT a.caller AS msisdn, count(*) AS returned
    FROM pair_tot a SEMI JOIN p b ON b.caller = a.callee AND b.callee = a.caller
     AND b.day >= a.first_day AND b.day <= a.first_day + {callback_days}
    GROUP BY 1
),
hist AS (
    SELECT DISTINCT caller, callee FROM {pairs}
    WHERE day >= DATE '{lookback}' AND day < DATE '{start}'
),
new_ AS (
    SELECT a.caller AS msisdn, count(*) AS new_callees
    FROM pair_tot a LEFT JOIN hist h ON h.caller = a.caller AND h.callee = a.callee
    WHERE h.caller IS NULL GROUP BY 1
),
med AS (
    SELECT caller AS msisdn, median(duration_s) AS median_duration FROM {durations}
    WHERE day BETWEEN DATE '{start}' AND DATE '{end}' GROUP BY 1
),
dev AS (
    SELECT DISTINCT sim, imei FROM {devices} WHERE day BETWEEN DATE '{start}' AND DATE '{end}'
),
sims_on AS (SELECT imei, count(*) AS sims FROM dev GROUP BY 1),
devs AS (
    SELECT d.sim AS msisdn, count(*) AS imeis_per_sim, max(s.sims) AS sims_per_imei
    FROM dev d JOIN sims_on s ON s.imei = d.imei GROUP BY 1
),
cell_use AS (
    SELECT c.sim, c.cell_id, sum(c.n) AS n, max(r.region) AS region,
           max(CASE WHEN r.border THEN 1 ELSE 0 END) AS border,
           max(CASE WHEN r.country IS NOT NULL AND r.country <> '{home}' THEN 1 ELSE 0 END)
               AS foreign_
    FROM {cells} c LEFT JOIN {cell_ref} r ON r.cell_id = c.cell_id
    WHERE c.day BETWEEN DATE '{start}' AND DATE '{end}' GROUP BY 1, 2
),
geo AS (
    SELECT sim AS msisdn, count(*) AS cells_visited, count(DISTINCT region) AS regions_visited,
           sum(n * border) AS n_border, sum(n * foreign_) AS n_foreign, sum(n) AS n_cell
    FROM cell_use GROUP BY 1
),
s AS (SELECT * FROM {sms} WHERE day BETWEEN DATE '{start}' AND DATE '{end}'),
sms_out AS (
    SELECT sender AS msisdn, sum(n) AS sms_out, count(DISTINCT recipient) AS sms_recipients,
           sum(n_url) AS sms_with_url
    FROM s GROUP BY 1
),
sms_in AS (SELECT recipient AS msisdn, sum(n) AS sms_in FROM s GROUP BY 1),
who AS (SELECT msisdn FROM out_ UNION SELECT msisdn FROM sms_out)
SELECT '+' || CAST(w.msisdn AS VARCHAR) AS msisdn,
    CAST(coalesce(o.calls_out, 0) AS BIGINT) AS calls_out,
    CAST(coalesce(i.calls_in, 0) AS BIGINT) AS calls_in,
    coalesce(t.distinct_callees, 0) AS distinct_callees,
    CASE WHEN o.calls_out > 0 THEN t.top_n / o.calls_out END AS callee_concentration,
    CASE WHEN o.calls_out > 0 THEN o.n_short / o.calls_out END AS short_call_ratio,
    CASE WHEN o.calls_out > 0 THEN o.dur / o.calls_out END AS mean_duration,
    m.median_duration,
    CASE WHEN o.calls_out > 0 THEN o.n_night / o.calls_out END AS night_ratio,
    CASE WHEN t.distinct_callees > 0 THEN coalesce(b.returned, 0) / t.distinct_callees END
        AS callback_ratio,
    CASE WHEN t.distinct_callees > 0 THEN coalesce(n.new_callees, 0) / t.distinct_callees END
        AS new_contact_ratio,
    coalesce(d.imeis_per_sim, 0) AS imeis_per_sim,
    coalesce(d.sims_per_imei, 0) AS sims_per_imei,
    coalesce(g.cells_visited, 0) AS cells_visited,
    coalesce(g.regions_visited, 0) AS regions_visited,
    CASE WHEN g.n_cell > 0 THEN g.n_border / g.n_cell END AS border_ratio,
    CASE WHEN g.n_cell > 0 THEN g.n_foreign / g.n_cell END AS foreign_ratio,
    CAST(coalesce(so.sms_out, 0) AS BIGINT) AS sms_out,
    CAST(coalesce(si.sms_in, 0) AS BIGINT) AS sms_in,
    coalesce(so.sms_recipients, 0) AS sms_recipients,
    CAST(coalesce(so.sms_with_url, 0) AS BIGINT) AS sms_with_url
FROM who w
LEFT JOIN out_ o ON o.msisdn = w.msisdn
LEFT JOIN tops t ON t.msisdn = w.msisdn
LEFT JOIN in_ i ON i.msisdn = w.msisdn
LEFT JOIN back b ON b.msisdn = w.msisdn
LEFT JOIN new_ n ON n.msisdn = w.msisdn
LEFT JOIN med m ON m.msisdn = w.msisdn
LEFT JOIN devs d ON d.msisdn = w.msisdn
LEFT JOIN geo g ON g.msisdn = w.msisdn
LEFT JOIN sms_out so ON so.msisdn = w.msisdn
LEFT JOIN sms_in si ON si.msisdn = w.msisdn
"""

FEATURES: dict[str, str] = {
    "calls_out": "calls made",
    "calls_in": "calls received",
    "distinct_callees": "distinct numbers called",
    "callee_concentration": "share of calls that went to the most-called number",
    "short_call_ratio": f"share of calls shorter than {SHORT_CALL_S} s",
    "mean_duration": "mean call duration (s)",
    "median_duration": "median call duration (s)",
    "night_ratio": f"share of calls between midnight and {NIGHT_END_HOUR}:00 local time",
    "callback_ratio": "share of called numbers that called back within the callback window",
    "new_contact_ratio": "share of called numbers never called in the look-back period",
    "imeis_per_sim": "handsets (IMEIs) this SIM was used in",
    "sims_per_imei": "most SIMs seen in any one of this SIM's handsets",
    "cells_visited": "distinct cells used",
    "regions_visited": "distinct regions of the cells used",
    "border_ratio": "share of calls from cells in border areas",
    "foreign_ratio": "share of calls from cells abroad (roaming)",
    "sms_out": "messages sent",
    "sms_in": "messages received",
    "sms_recipients": "distinct message recipients",
    "sms_with_url": "messages sent that carry a URL",
}

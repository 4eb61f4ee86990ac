"""Hand-written baselines, for the benchmarks only: the subscriber features, and the
plainest detectors (at the end).

The same features as ``scamnet.engine.features``, written the way an analyst
would write them by hand: (a) one DuckDB SQL query over the raw lake, and (b)
Polars' lazy API run on its streaming engine. The benchmark checks that all
three agree before it compares their times.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
from lightgbm import LGBMClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

TZ = "Asia/Shanghai"


def duckdb_sql(lake: Path, cells: Path, start: date, end: date, out: Path,
               memory_limit: str = "12GB") -> None:  # fmt: skip
    lookback = start - timedelta(days=7)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'; SET threads = 2; SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"""
    COPY (
    WITH c AS (SELECT *, CAST(timezone('UTC', start) AS DATE) AS d
               FROM read_parquet('{lake}/calls/day=*/*.parquet', hive_partitioning = true)
               WHERE day BETWEEN DATE '{lookback}' AND DATE '{end}'),
    w AS (SELECT * FROM c WHERE d BETWEEN DATE '{start}' AND DATE '{end}'),
    pairs AS (SELECT caller, callee, count(*) AS n, min(d) AS first_day FROM w GROUP BY 1, 2),
    days AS (SELECT DISTINCT caller, callee, d FROM w),
    out_ AS (SELECT caller AS m, count(*) AS calls_out, avg((duration_s < 30)::INT) AS short,
                    avg(duration_s) AS mean_d, median(duration_s) AS med_d,
                    avg((hour(timezone('{TZ}', start)) < 6)::INT) AS night,
                    count(DISTINCT imei) AS imeis, count(DISTINCT cell_id) AS n_cells
             FROM w GROUP BY 1),
    tops AS (SELECT caller AS m, count(*) AS distinct_callees, max(n) AS top_n FROM pairs GROUP BY 1),
    in_ AS (SELECT callee AS m, count(*) AS calls_in FROM w GROUP BY 1),
    back AS (SELECT a.caller AS m, count(*) AS returned FROM pairs a SEMI JOIN days b
             ON b.caller = a.callee AND b.callee = a.caller AND b.d >= a.first_day
             AND b.d <= a.first_day + 3 GROUP BY 1),
    hist AS (SELECT DISTINCT caller, callee FROM c WHERE d >= DATE '{lookback}' AND d < DATE '{start}'),
    new_ AS (SELECT a.caller AS m, count(*) AS new_n FROM pairs a ANTI JOIN hist h
             ON h.caller = a.caller AND h.callee = a.callee GROUP BY 1),
    dev AS (SELECT DISTINCT caller, imei FROM w WHERE imei IS NOT NULL),
    sims AS (SELECT imei, count(*) AS s FROM dev GROUP BY 1),
    devs AS (SELECT caller AS m, max(s) AS sims_per_imei FROM dev JOIN sims USING (imei) GROUP BY 1),
    ref AS (SELECT * FROM read_csv('{cells}', header = true)),
    geo AS (SELECT caller AS m, count(DISTINCT r.region) AS regions,
                   avg(coalesce(r.border, false)::INT) AS border,
                   avg((coalesce(r.country, 'CN') <> 'CN')::INT) AS foreign_
            FROM w LEFT JOIN ref r ON r.cell_id = w.cell_id WHERE w.cell_id IS NOT NULL GROUP BY 1),
    s AS (SELECT * FROM read_parquet('{lake}/messages/day=*/*.parquet', hive_partitioning = true)
          WHERE day BETWEEN DATE '{start}' AND DATE '{end}'),
    so AS (SELECT sender AS m, count(*) AS sms_out, count(DISTINCT recipient) AS rcpt,
                  sum(regexp_matches(text, 'https?://|www\\.')::INT) AS url FROM s GROUP BY 1),
    si AS (SELECT recipient AS m, count(*) AS sms_in FROM s GROUP BY 1),
    who AS (SELECT m FROM out_ UNION SELECT m FROM so)
    SELECT who.m AS msisdn, coalesce(calls_out, 0) AS calls_out, coalesce(calls_in, 0) AS calls_in,
           coalesce(distinct_callees, 0) AS distinct_callees, top_n / calls_out AS callee_concentration,
           short AS short_call_ratio, mean_d AS mean_duration, med_d AS median_duration,
           night AS night_ratio, coalesce(returned, 0) / distinct_callees AS callback_ratio,
           coalesce(new_n, 0) / distinct_callees AS new_contact_ratio,
           coalesce(imeis, 0) AS imeis_per_sim, coalesce(sims_per_imei, 0) AS sims_per_imei,
           coalesce(n_cells, 0) AS cells_visited, coalesce(regions, 0) AS regions_visited,
           border AS border_ratio, foreign_ AS foreign_ratio, coalesce(sms_out, 0) AS sms_out,
           coalesce(sms_in, 0) AS sms_in, coalesce(rcpt, 0) AS sms_recipients,
           coalesce(url, 0) AS sms_with_url
    FROM who LEFT JOIN out_ USING (m) LEFT JOIN tops USING (m) LEFT JOIN in_ USING (m)
    LEFT JOIN back USING (m) LEFT JOIN new_ USING (m) LEFT JOIN devs USING (m)
    LEFT JOIN geo USING (m) LEFT JOIN so USING (m) LEFT JOIN si USING (m)
    ) TO '{out}' (FORMAT parquet)
    """)
    con.close()


def polars_streaming(lake: Path, cells: Path, start: date, end: date, out: Path) -> None:
    lookback = start - timedelta(days=7)
    calls = (
        pl.scan_parquet(f"{lake}/calls/day=*/*.parquet", hive_partitioning=True)
        .filter(pl.col("day").is_between(lookback, end))
        .with_columns(d=pl.col("start").dt.date())
    )
    w = calls.filter(pl.col("d").is_between(start, end))
    pairs = w.group_by("caller", "callee").agg(n=pl.len(), first_day=pl.col("d").min())
    days = w.select("caller", "callee", "d").unique()
    out_ = w.group_by("caller").agg(
        calls_out=pl.len(),
        short_call_ratio=(pl.col("duration_s") < 30).mean(),
        mean_duration=pl.col("duration_s").mean(),
        median_duration=pl.col("duration_s").median(),
        night_ratio=(pl.col("start").dt.convert_time_zone(TZ).dt.hour() < 6).mean(),
        imeis_per_sim=pl.col("imei").drop_nulls().n_unique(),
        cells_visited=pl.col("cell_id").drop_nulls().n_unique(),
    )
    tops = pairs.group_by("caller").agg(distinct_callees=pl.len(), top_n=pl.col("n").max())
    in_ = w.group_by("callee").agg(calls_in=pl.len()).rename({"callee": "caller"})
    back = (
        pairs.join(days.rename({"caller": "callee", "callee": "caller"}), on=["caller", "callee"])
        .filter((pl.col("d") >= pl.col("first_day"))
                & (pl.col("d") <= pl.col("first_day") + pl.duration(days=3)))
        .select("caller", "callee").unique()
        .group_by("caller").agg(returned=pl.len())
    )  # fmt: skip
    hist = calls.filter(pl.col("d") < start).select("caller", "callee").unique()
    new_ = (
        pairs.join(hist, on=["caller", "callee"], how="anti").group_by("caller").agg(new_n=pl.len())
    )
    dev = w.select("caller", "imei").drop_nulls().unique()
    sims = dev.group_by("imei").agg(s=pl.len())
    devs = dev.join(sims, on="imei").group_by("caller").agg(sims_per_imei=pl.col("s").max())
    ref = pl.scan_csv(cells)
    geo = (
        w.filter(pl.col("cell_id").is_not_null()).join(ref, on="cell_id", how="left")
        .group_by("caller").agg(
            regions_visited=pl.col("region").drop_nulls().n_unique(),
            border_ratio=pl.col("border").fill_null(False).cast(pl.Float64).mean(),
            foreign_ratio=(pl.col("country").fill_null("CN") != "CN").cast(pl.Float64).mean(),
        )
    )  # fmt: skip
    s = pl.scan_parquet(f"{lake}/messages/day=*/*.parquet", hive_partitioning=True).filter(
        pl.col("day").is_between(start, end)
    )
    so = s.group_by("sender").agg(
        sms_out=pl.len(), sms_recipients=pl.col("recipient").n_unique(),
        sms_with_url=pl.col("text").str.contains(r"https?://|www\.").sum(),
    ).rename({"sender": "caller"})  # fmt: skip
    si = s.group_by("recipient").agg(sms_in=pl.len()).rename({"recipient": "caller"})
    who = pl.concat([out_.select("caller"), so.select("caller")]).unique()
    result = who
    for part in (out_, tops, in_, back, new_, devs, geo, so, si):
        result = result.join(part, on="caller", how="left")
    counts = ["calls_out", "calls_in", "distinct_callees", "imeis_per_sim", "sims_per_imei",
              "cells_visited", "regions_visited", "sms_out", "sms_in", "sms_recipients",
              "sms_with_url"]  # fmt: skip
    result = (
        result.with_columns(pl.col(c).fill_null(0) for c in counts)
        .with_columns(
            callee_concentration=pl.col("top_n") / pl.col("calls_out"),
            callback_ratio=pl.col("returned").fill_null(0) / pl.col("distinct_callees"),
            new_contact_ratio=pl.col("new_n").fill_null(0) / pl.col("distinct_callees"),
        )
        .rename({"caller": "msisdn"})
    )
    result.sink_parquet(out, engine="streaming")


# --- The plainest detectors (issue 21), for bench/ladder.py and bench/detect_speed.py ---
# Each is exactly the plain model an independent evaluation set against the shipped
# ones: nothing tuned, library defaults wherever it named none.

PLAIN_ACCOUNT_AGGREGATES = ("n_in", "n_out", "sum_in", "sum_out", "mean_in", "mean_out",
                            "max_in", "max_out", "distinct_in", "distinct_out")  # fmt: skip


def plain_trees(**overrides: Any) -> LGBMClassifier:
    """LightGBM on the raw features: 400 trees, learning rate 0.03, bagging 0.8."""
    params: dict[str, Any] = dict(
        n_estimators=400, learning_rate=0.03, subsample=0.8, subsample_freq=1,
        random_state=0, n_jobs=1, verbose=-1,
    )  # fmt: skip
    return LGBMClassifier(**{**params, **overrides})


def plain_account_trees() -> LGBMClassifier:
    """LightGBM with its defaults, on the ten per-account aggregates."""
    return LGBMClassifier(random_state=0, n_jobs=1, verbose=-1)


def plain_text() -> Pipeline:
    """char_wb 1–4 TF-IDF and logistic regression, C = 10 (messages)."""
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4))),
        ("lr", LogisticRegression(C=10, max_iter=3000)),
    ])  # fmt: skip


def plain_url() -> Pipeline:
    """char 3–5 TF-IDF and logistic regression (URLs); C = 10 as for the texts."""
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(3, 5))),
        ("lr", LogisticRegression(C=10, max_iter=3000)),
    ])  # fmt: skip


def account_aggregates(ids: list[str], src: list[str], dst: list[str],
                       value: np.ndarray) -> np.ndarray:  # fmt: skip
    """The ten per-account aggregates of ``PLAIN_ACCOUNT_AGGREGATES``, one row per id."""
    index = {a: i for i, a in enumerate(ids)}
    n = len(ids)
    s = np.array([index.get(a, -1) for a in src])
    d = np.array([index.get(a, -1) for a in dst])
    cols = {}
    for who, other, tag in ((d, s, "in"), (s, d, "out")):
        ok = who >= 0
        w, o, v = who[ok], other[ok], value[ok]
        count = np.bincount(w, minlength=n).astype(float)
        total = np.bincount(w, weights=v, minlength=n)
        top = np.zeros(n)
        np.maximum.at(top, w, v)
        pairs = np.unique(w.astype(np.int64) * (n + 1) + np.where(o >= 0, o, n))
        cols[f"n_{tag}"] = count
        cols[f"sum_{tag}"] = total
        cols[f"mean_{tag}"] = np.divide(total, count, out=np.zeros(n), where=count > 0)
        cols[f"max_{tag}"] = top
        cols[f"distinct_{tag}"] = np.bincount(pairs // (n + 1), minlength=n).astype(float)
    return np.column_stack([cols[c] for c in PLAIN_ACCOUNT_AGGREGATES])

"""Account features from money flows: fan-in and fan-out, pass-through, amounts, timing."""

from __future__ import annotations

import numpy as np

ACCOUNT_FEATURES = [
    "n_in", "n_out", "distinct_in", "distinct_out", "sum_in", "sum_out", "mean_in", "mean_out",
    "max_in", "max_out", "std_in", "std_out", "pass_through", "fan_ratio", "active_steps",
    "first_step", "span", "round_share", "reciprocal_share", "in_out_gap",
    "smallest_in_rank", "smallest_out_rank", "tiny_share", "repeat_counterparts",
    "most_transfers_to_one",
]  # fmt: skip
# Explanations in words for the features whose names do not say it plainly.
ACCOUNT_WORDS = {
    "n_in": "transfers in",
    "n_out": "transfers out",
    "distinct_in": "accounts paying in",
    "distinct_out": "accounts paid",
    "sum_in": "total received",
    "sum_out": "total paid out",
    "mean_in": "mean transfer in",
    "mean_out": "mean transfer out",
    "max_in": "largest transfer in",
    "max_out": "largest transfer out",
    "std_in": "spread of amounts in",
    "std_out": "spread of amounts out",
    "pass_through": "paid out per unit received",
    "fan_ratio": "payers per payee",
    "active_steps": "active periods",
    "first_step": "first active at",
    "span": "active span",
    "round_share": "share of round amounts",
    "reciprocal_share": "share of payees that also paid it",
    "in_out_gap": "delay from money in to money out",
    "smallest_in_rank": "smallest transfer in, as a share of the ledger's amounts below it",
    "smallest_out_rank": "smallest transfer out, as a share of the ledger's amounts below it",
    "tiny_share": "share of transfers among the ledger's smallest 1%",
    "repeat_counterparts": "counterparts paid or paid by more than once",
    "most_transfers_to_one": "most transfers with a single counterpart",
}


def account_features(ids: list[str], src: list[str], dst: list[str], value: np.ndarray,
                     step: np.ndarray) -> np.ndarray:  # fmt: skip
    """One row per id in ``ids``: how money came in and went out."""
    index = {a: i for i, a in enumerate(ids)}
    n = len(ids)
    s = np.array([index.get(a, -1) for a in src])
    d = np.array([index.get(a, -1) for a in dst])
    out = np.zeros((n, len(ACCOUNT_FEATURES)))
    col = {name: k for k, name in enumerate(ACCOUNT_FEATURES)}

    def side(who: np.ndarray, other: np.ndarray, tag: str) -> None:
        ok = who >= 0
        w, o, v = who[ok], other[ok], value[ok]
        count = np.bincount(w, minlength=n)
        total = np.bincount(w, weights=v, minlength=n)
        sq = np.bincount(w, weights=v * v, minlength=n)
        mean = np.divide(total, count, out=np.zeros(n), where=count > 0)
        out[:, col[f"n_{tag}"]] = count
        out[:, col[f"sum_{tag}"]] = total
        out[:, col[f"mean_{tag}"]] = mean
        out[:, col[f"std_{tag}"]] = np.sqrt(
            np.maximum(np.divide(sq, count, out=np.zeros(n), where=count > 0) - mean**2, 0)
        )
        mx = np.zeros(n)
        np.maximum.at(mx, w, v)
        out[:, col[f"max_{tag}"]] = mx
        pairs = np.unique(w.astype(np.int64) * (n + 1) + np.where(o >= 0, o, n))
        out[:, col[f"distinct_{tag}"]] = np.bincount(
            (pairs // (n + 1)).astype(np.int64), minlength=n
        )

    side(d, s, "in")
    side(s, d, "out")
    sum_in, sum_out = out[:, col["sum_in"]], out[:, col["sum_out"]]
    out[:, col["pass_through"]] = np.divide(sum_out, sum_in, out=np.zeros(n), where=sum_in > 0)
    out[:, col["fan_ratio"]] = (out[:, col["distinct_in"]] + 1) / (out[:, col["distinct_out"]] + 1)
    both = np.concatenate([s, d])
    steps = np.concatenate([step, step])
    ok = both >= 0
    first = np.full(n, np.inf)
    last = np.full(n, -np.inf)
    np.minimum.at(first, both[ok], steps[ok])
    np.maximum.at(last, both[ok], steps[ok])
    # Distinct (account, time) pairs; times may be steps, hours or epoch seconds.
    active = np.unique(np.column_stack([both[ok], steps[ok]]), axis=0)
    out[:, col["active_steps"]] = np.bincount(active[:, 0].astype(np.int64), minlength=n)
    out[:, col["first_step"]] = np.where(np.isfinite(first), first, -1)
    out[:, col["span"]] = np.where(np.isfinite(first), last - first, 0)
    rounded = (np.abs(value - np.round(value)) < 1e-9).astype(float)
    cnt = np.bincount(both[ok], minlength=n)
    out[:, col["round_share"]] = np.divide(
        np.bincount(both[ok], weights=np.concatenate([rounded, rounded])[ok], minlength=n),
        cnt,
        out=np.zeros(n),
        where=cnt > 0,
    )
    edge = {(a, b) for a, b in zip(s.tolist(), d.tolist(), strict=True) if a >= 0 and b >= 0}
    recip = np.zeros(n)
    for a, b in edge:
        if (b, a) in edge:
            recip[a] += 1
    out[:, col["reciprocal_share"]] = recip / np.maximum(out[:, col["distinct_out"]], 1)
    # How soon money leaves after it arrives: mean first-out step minus mean in step.
    in_step = np.divide(
        np.bincount(d[d >= 0], weights=step[d >= 0], minlength=n),
        out[:, col["n_in"]],
        out=np.zeros(n),
        where=out[:, col["n_in"]] > 0,
    )
    out_step = np.divide(
        np.bincount(s[s >= 0], weights=step[s >= 0], minlength=n),
        out[:, col["n_out"]],
        out=np.zeros(n),
        where=out[:, col["n_out"]] > 0,
    )
    out[:, col["in_out_gap"]] = np.where(
        (out[:, col["n_in"]] > 0) & (out[:, col["n_out"]] > 0), out_step - in_step, 0
    )
    _amounts_and_repeats(out, col, s, d, value)
    return out


def _amounts_and_repeats(out: np.ndarray, col: dict[str, int], s: np.ndarray, d: np.ndarray,
                         value: np.ndarray) -> None:  # fmt: skip
    """Features that carry from one ledger to another: amounts are ranked within the
    ledger (currencies and typical sums differ), and repeated transfers between the
    same two accounts (layering loops and structuring split one sum into many)."""
    n = len(out)
    ranked = np.sort(value)
    for who, name in ((d, "smallest_in_rank"), (s, "smallest_out_rank")):
        ok = who >= 0
        smallest = np.full(n, np.inf)
        np.minimum.at(smallest, who[ok], value[ok])
        below = np.searchsorted(ranked, smallest, side="right") / max(len(ranked), 1)
        out[:, col[name]] = np.where(np.isfinite(smallest), below, 1.0)
    tiny = (value < np.quantile(value, 0.01)).astype(float) if len(value) else value
    both = np.concatenate([s, d])
    ok = both >= 0
    count = np.bincount(both[ok], minlength=n)
    hits = np.bincount(both[ok], weights=np.concatenate([tiny, tiny])[ok], minlength=n)
    out[:, col["tiny_share"]] = np.divide(hits, count, out=np.zeros(n), where=count > 0)
    known = (s >= 0) & (d >= 0)
    pair_ids, per_pair = np.unique(s[known].astype(np.int64) * n + d[known], return_counts=True)
    for ends in (pair_ids // n, pair_ids % n):
        np.add.at(out[:, col["repeat_counterparts"]], ends, (per_pair > 1).astype(float))
        most = out[:, col["most_transfers_to_one"]]
        np.maximum.at(most, ends, per_pair.astype(float))

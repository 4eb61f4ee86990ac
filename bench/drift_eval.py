"""The subscriber model across the weeks of a world: learn on week 1, score week 2.

Run (one hard world takes minutes to simulate and ingest on a loaded machine):

    PYTHONPATH=src .venv/bin/python bench/drift_eval.py --preset hard --seeds 201 202 203 \
        --work DIR [--reuse PREPARED_DIR] [--json drift.json]

`scamnet demo` (and bench/network_eval.py) measure the subscriber model on a
random half of the confirmed numbers, with features over the whole period: the
half it learns from spans both weeks, so the drift of the hard preset (from the
second week, new SIMs from other number ranges and new scripts) never reaches
that figure. Here, on the same world and in the same run:

- random split: the demo's figure (features over the whole period, learn on
  half the confirmed numbers, ROC-AUC on the other half);
- time split: features over week 1 only; learn on the demo's share (half) of the
  week-1 numbers the truth confirms; score the week-2 feature table; ROC-AUC on
  (a) every week-2 number with truth, (b) the numbers new in week 2 (absent from
  the week-1 table) and (c) the week-2 numbers the model did not learn from;
  as no ordinary subscriber is new in week 2 in the simulator, (b) has next to
  no negatives, so the new fraud numbers and the week-1 ones are also each
  ranked against every ordinary week-2 number;
- random split within week 2: the demo's split on the week-2 table alone, which
  tells what a week of behaviour instead of two costs, with no change between
  the week learnt from and the week scored.

Each world also reports its drift, read from its files: SIMs first used in week
2 and how many come from the new number ranges, the week-2 numbers absent from
week 1 by class, and each group's fraud types (scripts) by week.

`--reuse DIR` takes worlds prepared by bench/network_eval.py --work DIR
(`{preset}-world{seed}` and `{preset}-data{seed}`): the world is read in place
and the data directory's lake and database are copied into --work (features are
computed there), so the prepared directory is left as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import shutil
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from scamnet.cli.demo import ingest_world
from scamnet.cli.demo_detect import halves, lake_window, read_csv
from scamnet.core.reference import reference_agencies
from scamnet.detect import tabular
from scamnet.detect.detectors import Trained, inputs_from_table, score, train
from scamnet.detect.usecase import subscriber_table
from scamnet.settings import Settings, sqlite_url
from scamnet.simulate import PRESETS, simulate
from scamnet.simulate.baseline import roc_auc
from scamnet.simulate.numbering import CN_NEW_PREFIXES
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository

BAND = (0.85, 0.95)
NEW_RANGES = {f"+86{p}" for p in CN_NEW_PREFIXES.tolist()}
# What a reused data directory lends: the lake and the database. Features, models and
# alerts of the earlier run are not needed, and nothing is written back there.
COPIED = ("lake", "scamnet.db", "keys")
COLUMNS = {  # the figures printed, by key of evaluate()'s result
    "random": "Random split (held-out half)",
    "week2_random": "Random split within week 2",
    "week2": "Week 1 -> 2: every week-2 number",
    "new": "new in week 2",
    "new_fraud_vs_all": "new fraud vs every ordinary",
    "old_fraud_vs_all": "week-1 fraud vs every ordinary",
    "unseen": "not learnt from",
}


def prepare(preset: str, seed: int, work: Path, reuse: Path | None) -> tuple[Path, Settings]:
    """The world's directory and the settings of a data directory holding it ingested."""
    world, data = work / f"{preset}-world{seed}", work / f"{preset}-data{seed}"
    settings = Settings(data_dir=data, database_url=sqlite_url(data / "scamnet.db"))
    ready = data / "ingested"
    if reuse is not None and (reuse / f"{preset}-data{seed}" / "lake").exists():
        world = reuse / f"{preset}-world{seed}"
        if not ready.exists():
            data.mkdir(parents=True, exist_ok=True)
            for name in COPIED:
                src = reuse / f"{preset}-data{seed}" / name
                (shutil.copytree if src.is_dir() else shutil.copy2)(src, data / name)
            ready.write_text(f"copied from {reuse}\n")
        return world, settings
    if not ready.exists():
        simulate(PRESETS[preset].with_overrides(seed=seed), world)
        store = Store(settings.database_url)
        store.upgrade()
        with store.session() as s:
            AgencyRepository(s).ensure(reference_agencies())
        with contextlib.redirect_stdout(io.StringIO()):
            ingest_world(world, settings, store)
        store.dispose()
        ready.write_text("simulated and ingested\n")
    return world, settings


def _auc(truth: dict[str, str], numbers: list[str], scores: np.ndarray) -> float:
    labels = np.array([int(truth[m]) for m in numbers])
    if labels.size == 0 or labels.min() == labels.max():
        return float("nan")  # one class only: no ranking to measure
    return roc_auc(labels, scores)


def _fit(table: pa.Table, rows: list[int], truth: dict[str, str]) -> Trained:
    picked = table.take(rows)
    labels = pa.array([truth[m] for m in picked.column("msisdn").to_pylist()])
    return train(inputs_from_table("subscriber", picked.append_column("label", labels), "label"))


def _scores(trained: Trained, table: pa.Table) -> np.ndarray:
    out = score(trained, inputs_from_table("subscriber", table), explain=False)
    return np.asarray(out["score"], dtype=float)


def evaluate(world: Path, settings: Settings) -> dict[str, float | int | str]:
    """Random-split and time-split ROC-AUC of the shipped subscriber model on one world."""
    store = Store(settings.database_url)
    first, last = lake_window(settings)
    split = first + timedelta(days=7)  # week 1: first .. split - 1; week 2: split .. last
    if split > last:
        store.dispose()
        raise SystemExit(f"the lake ends on {last}: a second week needs 8 days or more")
    truth = {r["msisdn"]: r["is_fraud"] for r in read_csv(world / "truth" / "subscribers.csv")}
    try:
        # Rows come back in no particular order; sorting makes the splits reproducible.
        whole, week1, week2 = (
            subscriber_table(settings, store, a, b).sort_by("msisdn")
            for a, b in ((first, last), (first, split - timedelta(days=1)), (split, last))
        )
    finally:
        store.dispose()

    def random_split(table: pa.Table) -> tuple[float, int, int]:
        numbers = table.column("msisdn").to_pylist()
        learn, held = halves([i for i, m in enumerate(numbers) if m in truth])
        scores = _scores(_fit(table, learn, truth), table.take(held))
        return _auc(truth, [numbers[i] for i in held], scores), len(learn), len(held)

    # The demo's figure (cli/demo_detect.detect_world), recomputed here in the same run.
    random_auc, learn, held = random_split(whole)
    # The same split within week 2 alone: what a week of behaviour (instead of two)
    # costs, with no change between learning and scoring.
    week2_random_auc = random_split(week2)[0]

    # Learn from week 1 only: the same share (half) of the confirmed numbers.
    numbers1 = week1.column("msisdn").to_pylist()
    learn1, _ = halves([i for i, m in enumerate(numbers1) if m in truth])
    trained = _fit(week1, learn1, truth)
    learnt, seen = {numbers1[i] for i in learn1}, set(numbers1)
    numbers2 = week2.column("msisdn").to_pylist()
    rows2 = [i for i, m in enumerate(numbers2) if m in truth]
    scores2 = _scores(trained, week2.take(rows2))
    known2 = [numbers2[i] for i in rows2]

    def subset(fraud: Callable[[str], bool], normal: Callable[[str], bool]) -> list[float]:
        at = [k for k, m in enumerate(known2) if (fraud if truth[m] == "1" else normal)(m)]
        picked = [known2[k] for k in at]
        positives = sum(truth[m] == "1" for m in picked)
        return [_auc(truth, picked, scores2[at]), positives, len(picked) - positives]

    def every(_: str) -> bool:
        return True

    def new(m: str) -> bool:
        return m not in seen

    def unseen(m: str) -> bool:
        return m not in learnt

    figures = {
        "week2": subset(every, every),  # (a) every week-2 number with truth
        "new": subset(new, new),  # (b) the numbers new in week 2 only
        # (b') the new fraud numbers, and the fraud numbers already seen in week 1,
        # each against every ordinary week-2 number: no ordinary subscriber is new
        # in week 2 in the simulator, so (b) has next to no negatives.
        "new_fraud_vs_all": subset(new, every),
        "old_fraud_vs_all": subset(lambda m: m in seen, every),
        "unseen": subset(unseen, unseen),  # (c) the numbers the model did not learn from
    }
    out: dict[str, float | int | str] = {
        "random_auc": random_auc, "random_learn": learn, "random_held": held,
        "week2_random_auc": week2_random_auc,
        "week1_learn": len(learn1), "first": str(first), "split": str(split), "last": str(last),
    }  # fmt: skip
    for k, (auc, fraud, normal) in figures.items():
        out |= {f"{k}_auc": auc, f"{k}_fraud": int(fraud), f"{k}_normal": int(normal)}
    return out


def _day(stamp: str | None) -> date | None:
    """The UTC day of a timestamp the simulator wrote, or None for a messy one."""
    try:
        return date.fromisoformat((stamp or "")[:10])
    except ValueError:  # a messy row: no date, an impossible one, "yesterday"
        return None


def drift(world: Path, split: date) -> dict[str, float | int | str]:
    """What changes in week 2, read from the world's files (the truth included)."""
    subs = read_csv(world / "truth" / "subscribers.csv")
    fraud = [r for r in subs if r["is_fraud"] == "1"]
    late = [r for r in fraud if int(r["active_from"]) >= 7]
    early = [r for r in fraud if int(r["active_from"]) < 7]
    week: dict[str, set[str]] = {"1": set(), "2": set()}
    for path in sorted((world / "calls").glob("calls-*.csv")):
        for row in read_csv(path):
            if (at := _day(row.get("start"))) is not None and row.get("caller"):
                week["2" if at >= split else "1"].add(row["caller"])
    kind = {r["msisdn"]: r["kind"] for r in subs}
    callers_new = Counter(kind.get(m, "unknown") for m in week["2"] - week["1"])
    sent = {r["message_id"]: _day(r.get("sent_at")) for r in read_csv(world / "messages.csv")}
    types: dict[tuple[str, str], set[str]] = defaultdict(set)
    scam2: Counter[bool] = Counter()
    rows = [t for t in read_csv(world / "truth" / "messages.csv") if t["group_id"] != "-1"]
    for t in rows:
        if (when := sent.get(t["message_id"])) is not None:
            types[(t["group_id"], "2" if when >= split else "1")].add(t["label"])
    for t in rows:
        if (when := sent.get(t["message_id"])) is not None and when >= split:
            scam2[t["label"] not in types[(t["group_id"], "1")]] += 1
    groups = sorted({g for g, _ in types})
    return {
        "fraud_sims": len(fraud),
        "late_sims": len(late),
        "late_cn": sum(r["msisdn"].startswith("+86") for r in late),
        "late_new_range": sum(r["msisdn"][:6] in NEW_RANGES for r in late),
        "early_new_range": sum(r["msisdn"][:6] in NEW_RANGES for r in early),
        "late_imitators": sum(r["imitates"] == "1" for r in late),
        # Week-2 callers absent from week 1: fraud SIMs, ordinary subscribers (people and
        # businesses), and numbers the truth does not hold (mangled by a messy row).
        "callers_new_fraud": callers_new["fraud"],
        "callers_new_ordinary": sum(
            n for k, n in callers_new.items() if k not in ("fraud", "unknown")
        ),
        "callers_new_unknown": callers_new["unknown"],
        "groups_new_scripts": sum(types[(g, "2")] - types[(g, "1")] != set() for g in groups),
        "groups": len(groups),
        "scam_msgs_week2": sum(scam2.values()),
        "scam_msgs_week2_new_script": scam2[True],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[201, 202, 203])
    ap.add_argument("--preset", default="hard", choices=sorted(PRESETS))
    ap.add_argument("--work", type=Path, required=True, help="Worlds and data directories.")
    ap.add_argument("--reuse", type=Path, help="Worlds prepared by network_eval.py --work.")
    ap.add_argument("--json", type=Path, help="Also write every world's figures here.")
    args = ap.parse_args()
    # One thread per model, as in bench/network_eval.py: it changes no tree.
    tabular.PARAMS["n_jobs"] = tabular.SUBSCRIBER_PARAMS["n_jobs"] = 1
    worlds: dict[str, dict[str, float | int | str]] = {}
    print("| World | " + " | ".join(COLUMNS.values()) + " | Week-2 SIMs (in new ranges; "
          "week-1 SIMs in them) | Groups with new scripts |")  # fmt: skip
    print("|---" * (len(COLUMNS) + 3) + "|")
    for seed in args.seeds:
        world, settings = prepare(args.preset, seed, args.work, args.reuse)
        r = evaluate(world, settings)
        d = drift(world, date.fromisoformat(str(r["split"])))
        worlds[str(seed)] = r | d
        cells = [f"{r['random_auc']:.3f}", f"{r['week2_random_auc']:.3f}"] + [
            f"{r[f'{k}_auc']:.3f} ({r[f'{k}_fraud']:,} / {r[f'{k}_normal']:,})"
            for k in list(COLUMNS)[2:]
        ]
        print(f"| {args.preset} {seed} | " + " | ".join(cells) + f" | {d['late_sims']:,} "
              f"({d['late_new_range']:,}; {d['early_new_range']}) "
              f"| {d['groups_new_scripts']} of {d['groups']} |", flush=True)  # fmt: skip
    print("(fraud / ordinary numbers scored in brackets)")
    for key, name in COLUMNS.items():
        values = [v for w in worlds.values() if not math.isnan(v := float(w[f"{key}_auc"]))]
        if not values:
            print(f"{name}: undefined on every world (one class only)")
            continue
        inside = sum(BAND[0] <= v <= BAND[1] for v in values)
        print(f"{name}: median {statistics.median(values):.3f}, range {min(values):.3f}-"
              f"{max(values):.3f}, in {BAND[0]}-{BAND[1]} on {inside} of {len(values)} worlds"
              + (f" ({len(worlds) - len(values)} undefined)" if len(values) < len(worlds) else ""))  # fmt: skip
    report = {"preset": args.preset, "band": BAND, "worlds": worlds}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

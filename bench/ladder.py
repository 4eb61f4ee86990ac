"""The baseline ladder (issue 21): every detector against the plainest model that could
stand in for it, on every shared dataset, in one run.

Run: .venv/bin/python bench/ladder.py [--data ../shared/data] [--seeds 0 1 2]
         [--datasets sichuan zh ...] [--markdown ladder.md] > ladder.json

Each contender is cross-validated in 5 stratified folds, once per seed (the seed
shuffles the folds and nothing else), so every figure is out-of-fold and the spread
over seeds shows how much of a difference is noise. The rungs:

- ``plain``: the plainest model, exactly as the independent evaluation described it
  (``bench/baselines.py``);
- ``challenger`` (messages and URLs): the tuned detector with the gate off
  (``scamnet model train --no-gate``);
- ``shipped``: the detector as ``scamnet model train`` builds it: for messages and
  URLs, the gate fits the tuned one and the plain one in every training fold and
  ships the tuned one only if it beats the plain one beyond noise
  (``scamnet.detect.gate``);
- anything else tried, named for what it changes.

The verdict compares each rung with the plain one on the dataset's main figure:
*above* or *below* when the mean difference over the seeds exceeds the noise (the
wider of the two contenders' ranges over seeds), else *level*. The one that
matters is the shipped rung's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from baselines import (
    account_aggregates,
    plain_account_trees,
    plain_text,
    plain_trees,
    plain_url,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

from scamnet.detect import tabular
from scamnet.detect.data import column, normal_class, numeric_matrix, read_table
from scamnet.detect.detectors import Inputs, evaluate, load_inputs, metrics

Metrics = dict[str, Any]
Contender = Callable[[int], Metrics]  # seed -> out-of-fold metrics
FitPredict = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
FOLDS = 5


def out_of_fold(labels: np.ndarray, normal: str, seed: int,
                fit_predict: FitPredict) -> Metrics:  # fmt: skip
    """Metrics of ``fit_predict(train_rows, test_rows) -> (verdicts, scores)`` over the
    folds of ``seed``."""
    predicted = np.empty(len(labels), dtype=object)
    scores = np.zeros(len(labels))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    for tr, te in folds.split(labels, labels):
        predicted[te], scores[te] = fit_predict(tr, te)
    return metrics(labels, predicted.astype(str), scores, normal)


def shipped(inputs: Inputs, normal: str | None = None, gate: bool = True) -> Contender:
    """The detector as trained in each fold; the metrics name what each fold shipped."""

    def run(seed: int) -> Metrics:
        picked: list[str] = []
        out = evaluate(inputs, FOLDS, normal, seed=seed, gate=gate, shipped=picked)
        return {**out, "shipped": picked}

    return run


def text_contender(make: Callable[[], Any], texts: list[str], labels: np.ndarray,
                   normal: str) -> Contender:  # fmt: skip
    """A scikit-learn pipeline with ``predict_proba``; the verdict is the likeliest class
    and the score one minus the probability of ``normal``."""
    arr = np.array(texts, dtype=object)

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model = make().fit(list(arr[tr]), labels[tr])
        proba = model.predict_proba(list(arr[te]))
        classes = np.array(model.classes_)
        return classes[proba.argmax(axis=1)], 1.0 - proba[:, list(classes).index(normal)]

    return lambda seed: out_of_fold(labels, normal, seed, fit_predict)


def tree_contender(make: Callable[[], Any], x: np.ndarray, labels: np.ndarray,
                   normal: str) -> Contender:  # fmt: skip
    """A binary classifier on a matrix; the verdict is fraud at probability 0.5."""
    y = (labels != normal).astype(int)
    positive = next(c for c in sorted(set(labels)) if c != normal)

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = np.asarray(make().fit(x[tr], y[tr]).predict_proba(x[te]))[:, 1]
        return np.where(p >= 0.5, positive, normal), p

    return lambda seed: out_of_fold(labels, normal, seed, fit_predict)


def sichuan(data: Path) -> tuple[str, dict[str, Contender]]:
    path, edges = data / "sichuan" / "dev.csv", data / "sichuan" / "edges.csv"
    table = read_table(path)
    labels = np.array(column(table, "label"))
    raw, _ = numeric_matrix(table, {"node", "label"})  # the 55 features as given
    inputs = load_inputs("subscriber", path, "label", edges)
    return "f1_fraud", {
        "plain": tree_contender(plain_trees, raw, labels, "0"),
        # Shipped since issue 21: the plain model's trees and threshold (tabular.SUBSCRIBER_PARAMS)
        # with the contact-graph features of edges.csv (`--edges`).
        "shipped": shipped(inputs),
    }


def texts(data: Path, name: str, normal: str) -> tuple[str, dict[str, Contender]]:
    path = data / name / "dev.csv"
    table = read_table(path)
    raw, labels = column(table, "text"), np.array(column(table, "label"))
    inputs = load_inputs("message", path, "label")
    main = "macro_f1" if len(set(labels)) > 2 else "f1_fraud"
    return main, {
        "plain": text_contender(plain_text, raw, labels, normal),
        "challenger": shipped(inputs, normal, gate=False),
        "shipped": shipped(inputs, normal),
    }


def urls(data: Path) -> tuple[str, dict[str, Contender]]:
    path = data / "urls" / "dev.csv"
    table = read_table(path)
    raw, labels = column(table, "url"), np.array(column(table, "label"))
    inputs = load_inputs("url", path, "label")
    return "f1_fraud", {
        "plain": text_contender(plain_url, raw, labels, "benign"),
        "challenger": shipped(inputs, "benign", gate=False),
        "shipped": shipped(inputs, "benign"),
    }


def amlsim(data: Path, graph: str) -> tuple[str, dict[str, Contender]]:
    nodes, tx = data / "amlsim" / graph / "nodes.csv", data / "amlsim" / graph / "transactions.csv"
    inputs = load_inputs("account", nodes, "isFraud", transactions=tx)
    assert inputs.ids is not None
    assert inputs.tx is not None
    assert inputs.labels is not None
    x = account_aggregates(inputs.ids, inputs.tx["src"], inputs.tx["dst"], inputs.tx["value"])
    labels = np.array(inputs.labels)
    return "f1_fraud", {
        "plain": tree_contender(plain_account_trees, x, labels, normal_class(inputs.labels, None)),
        "shipped": shipped(inputs),
    }


DATASETS: dict[str, Callable[[Path], tuple[str, dict[str, Contender]]]] = {
    "sichuan": sichuan,
    "zh-fraud-texts": lambda d: texts(d, "zh-fraud-texts", "正常"),
    "en-sms-spam": lambda d: texts(d, "en-sms-spam", "ham"),
    "th-sms": lambda d: texts(d, "th-sms", "OK"),
    "urls": urls,
    "amlsim cycle200": lambda d: amlsim(d, "20K_cycle200"),
    "amlsim fanin200": lambda d: amlsim(d, "20K_fanin200"),
}


def rung(contender: Contender, seeds: list[int], main: str) -> dict[str, Any]:
    runs, began = [], time.perf_counter()
    for seed in seeds:
        runs.append(contender(seed))
    values = [r[main] for r in runs]
    out: dict[str, Any] = {
        "mean": statistics.fmean(values), "min": min(values), "max": max(values),
        "per_seed": values, "seconds": round(time.perf_counter() - began, 1),
    }  # fmt: skip
    if "roc_auc" in runs[0]:
        out["roc_auc_mean"] = statistics.fmean(r["roc_auc"] for r in runs)
    if "shipped" in runs[0]:  # which algorithm the folds' trainings shipped, and how often
        out["shipped"] = dict(Counter(a for r in runs for a in r["shipped"]))
    return out


def verdicts(rungs: dict[str, Any]) -> dict[str, Any]:
    """Each rung against the plain one, when both were run."""
    if "plain" not in rungs:
        return {}
    return {k: verdict(r, rungs["plain"]) for k, r in rungs.items() if k != "plain"}


def verdict(shipped_rung: dict[str, Any], plain_rung: dict[str, Any]) -> dict[str, Any]:
    diff = shipped_rung["mean"] - plain_rung["mean"]
    noise = max(shipped_rung["max"] - shipped_rung["min"], plain_rung["max"] - plain_rung["min"])
    word = "above" if diff > noise else "below" if diff < -noise else "level"
    return {"difference": diff, "noise": noise, "verdict": word}


def markdown(results: dict[str, Any]) -> str:
    lines = ["| Dataset | Figure | Rung | Mean over seeds | Range over seeds | ROC-AUC | "
             "Seconds | Against plain |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, result in results.items():
        for label, r in result["rungs"].items():
            auc = f"{r['roc_auc_mean']:.4f}" if "roc_auc_mean" in r else ""
            v = result.get("verdicts", {}).get(label)
            say = (f"{v['verdict']} ({v['difference']:+.4f}, noise {v['noise']:.4f})"
                   if v else "")  # fmt: skip
            if r.get("shipped"):  # the gate's picks over every fold of every seed
                label += " (" + ", ".join(f"`{a}` ×{n}" for a, n in r["shipped"].items()) + ")"
            lines.append(f"| {name} | {result['figure']} | {label} | {r['mean']:.4f} | "
                         f"{r['min']:.4f}–{r['max']:.4f} | {auc} | {r['seconds']} | {say} |")  # fmt: skip
    return "\n".join(lines)


def joined(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """One rung from two runs over different seeds."""
    values = [*a["per_seed"], *b["per_seed"]]
    out = {"mean": statistics.fmean(values), "min": min(values), "max": max(values),
           "per_seed": values, "seconds": round(a["seconds"] + b["seconds"], 1)}  # fmt: skip
    if "roc_auc_mean" in a:
        n, m = len(a["per_seed"]), len(b["per_seed"])
        out["roc_auc_mean"] = (a["roc_auc_mean"] * n + b["roc_auc_mean"] * m) / (n + m)
    if "shipped" in a or "shipped" in b:
        out["shipped"] = dict(Counter(a.get("shipped", {})) + Counter(b.get("shipped", {})))
    return out


def merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from runs that each did some datasets or rungs, in dataset order."""
    out: dict[str, Any] = {}
    for name in DATASETS:
        rungs: dict[str, Any] = {}
        for part in parts:
            for label, r in part.get(name, {}).get("rungs", {}).items():
                rungs[label] = joined(rungs[label], r) if label in rungs else r
        if not rungs:
            continue
        figure = next(part[name]["figure"] for part in parts if name in part)
        out[name] = {"figure": figure, "rungs": rungs, "verdicts": verdicts(rungs)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=list(DATASETS))
    parser.add_argument("--markdown", type=Path, help="Also write the table here.")
    parser.add_argument("--merge", type=Path, nargs="+", help="Print the table of earlier "
                        "runs' JSON outputs (a run split over processes), and run nothing.")  # fmt: skip
    parser.add_argument("--rungs", nargs="+", help="Only these rungs (to split a run over "
                        "processes; a verdict needs the plain rung).")  # fmt: skip
    args = parser.parse_args()
    if args.merge:
        print(markdown(merged([json.loads(p.read_text()) for p in args.merge])))
        return
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # One thread per model: on a shared machine, LightGBM's threads wait on each other
    # more than they work. Every rung gets the same, so the comparison holds.
    tabular.PARAMS["n_jobs"] = tabular.SUBSCRIBER_PARAMS["n_jobs"] = 1
    results: dict[str, Any] = {}
    for name in args.datasets:
        main_figure, contenders = DATASETS[name](args.data)
        rungs = {}
        for label, contender in contenders.items():
            if args.rungs and label not in args.rungs:
                continue
            rungs[label] = rung(contender, args.seeds, main_figure)
            print(name, label, json.dumps(rungs[label]), file=sys.stderr, flush=True)
        results[name] = {"figure": main_figure, "rungs": rungs, "verdicts": verdicts(rungs)}
    table = markdown(results)
    print(table, file=sys.stderr)
    if args.markdown is not None:
        args.markdown.write_text(table + "\n")
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

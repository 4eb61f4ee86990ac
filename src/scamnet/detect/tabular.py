"""Subscriber and account detectors: gradient-boosted trees on behaviour and graph features.

Every score is explained by the features that pushed it up, from the trees' own
per-feature contributions (TreeSHAP, Lundberg et al. 2020, as LightGBM computes
them with ``pred_contrib``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from scamnet.detect.accounts import ACCOUNT_WORDS
from scamnet.detect.graphfeatures import adjacency, label_share, neighbour_means, pagerank
from scamnet.detect.money import format_money, is_money
from scamnet.engine.features.subscriber_sql import FEATURES as SUBSCRIBER_WORDS

log = logging.getLogger(__name__)

PARAMS: dict[str, Any] = dict(
    n_estimators=150, learning_rate=0.1, num_leaves=31, min_child_samples=20, subsample=0.8,
    subsample_freq=1, colsample_bytree=0.7, reg_lambda=1.0, random_state=0, n_jobs=2,
    deterministic=True, force_row_wise=True,  # same data, same model, whatever the threads
    verbose=-1,
)  # fmt: skip
# Subscribers: the plainest model of the baseline ladder (bench/ladder.py), 400 trees at
# 0.03 with bagging 0.8 and LightGBM's defaults otherwise, at probability 0.5. The tuned
# trees above with an F1-chosen threshold scored below it on sichuan by more than the
# spread over three seeds (F1 0.8727 against 0.8795), so the plainest ships (issue 21).
SUBSCRIBER_PARAMS: dict[str, Any] = dict(
    n_estimators=400, learning_rate=0.03, subsample=0.8, subsample_freq=1, random_state=0,
    n_jobs=2, deterministic=True, force_row_wise=True, verbose=-1,
)  # fmt: skip
FIXED_THRESHOLD = {"subscriber": 0.5}
SMALL_PREDICT = 2_000  # rows scored on one thread: more threads cost more than they save
# Rows from which a process compiles its trees (detect/compiled.py): loading numba and the
# cached kernel, and flattening 400 trees, take ~1-3 s once, which the Booster needs
# ~20,000 rows to spend (BENCHMARKS.md, "Compiled trees"). Once compiled, every call uses it.
COMPILED_FROM = 20_000
GRAPH_WORDS = {
    "g_out_degree": "contacts called",
    "g_in_degree": "contacts calling in",
    "g_fraud_share": "share of labelled contacts that are known fraud",
    "g_fraud_neighbours": "known-fraud contacts",
    "g_pagerank": "centrality in the flow graph (PageRank)",
}


@dataclass
class GraphInput:
    """Edges between ids, and the ids whose labels are known (for label propagation)."""

    src: list[str]
    dst: list[str]
    weight: list[float] | None = None
    seeds: dict[str, float] = field(default_factory=dict)


def graph_block(ids: list[str], base: np.ndarray, graph: GraphInput, use_labels: bool,
                names: list[str]) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """Graph features for ``ids``; ``base`` are their own features (for neighbour means)."""
    index: dict[str, int] = {}
    for node in [*ids, *graph.src, *graph.dst]:
        index.setdefault(node, len(index))
    n = len(index)
    src = np.array([index[s] for s in graph.src], dtype=np.int64)
    dst = np.array([index[d] for d in graph.dst], dtype=np.int64)
    w = np.array(graph.weight) if graph.weight is not None else None
    adj = adjacency(src, dst, n, w)
    rows = np.array([index[i] for i in ids])
    full = np.full((n, base.shape[1]), np.nan)
    full[rows] = base
    cols = [np.asarray((adj > 0).sum(axis=1)).ravel()[rows],
            np.asarray((adj > 0).sum(axis=0)).ravel()[rows],
            pagerank(adj)[rows]]  # fmt: skip
    out_names = ["g_out_degree", "g_in_degree", "g_pagerank"]
    if use_labels:
        known = np.full(n, np.nan)
        for node, label in graph.seeds.items():
            if node in index:
                known[index[node]] = label
        share, n_fraud = label_share(adj, known)
        cols += [share[rows], n_fraud[rows]]
        out_names += ["g_fraud_share", "g_fraud_neighbours"]
    means = neighbour_means(adj, full)[rows]
    block = np.column_stack([*cols, means])
    return block, out_names + [f"nb_{c}" for c in names]


@dataclass
class TabularModel:
    """LightGBM on a numeric feature matrix, with a decision threshold chosen for F1."""

    kind: str
    feature_names: list[str] = field(default_factory=list)
    threshold: float = 0.5
    booster: lgb.LGBMClassifier | None = None
    # Out-of-fold scores of the training rows, read once for the model card.
    held_out: np.ndarray | None = field(default=None, repr=False, compare=False)
    # The trees compiled in this process (detect/compiled.py), never saved: None until
    # they are, False if they cannot be (the reason was logged).
    forest: Any = field(default=None, repr=False, compare=False)
    # The trees as object code (detect/llvm_trees.py, a MachineCode): compiled once, when
    # the model is saved, and saved inside its signed payload; None if never compiled.
    machine_code: Any = field(default=None, repr=False, compare=False)
    # That code loaded in this process (an LLVMForest), never saved: None until it is,
    # False if it cannot be (the reason was logged).
    native: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "forest": None, "native": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Models saved before the machine code existed lack the two fields.
        self.__dict__.update({"machine_code": None, "native": None, **state})

    @property
    def lgb_params(self) -> dict[str, Any]:
        return SUBSCRIBER_PARAMS if self.kind == "subscriber" else PARAMS

    def fit(self, x: np.ndarray, y: np.ndarray, names: list[str]) -> TabularModel:
        self.feature_names = names
        self.threshold = self._best_threshold(x, y)
        if self.kind in FIXED_THRESHOLD:
            self.threshold = FIXED_THRESHOLD[self.kind]
        self.booster = lgb.LGBMClassifier(**self.lgb_params).fit(x, y)
        return self

    def _best_threshold(self, x: np.ndarray, y: np.ndarray) -> float:
        """The cut that maximises F1 on out-of-fold predictions of the training data (the
        predictions feed the model card too)."""
        if min(int(y.sum()), int((1 - y).sum())) < 6:
            return 0.5
        oof = np.zeros(len(y))
        # A fixed threshold is not chosen here: the folds only feed the model card, so
        # they grow the model itself.
        fixed = self.kind in FIXED_THRESHOLD
        quick = self.lgb_params if fixed else {**PARAMS, "n_estimators": 150, "learning_rate": 0.08}
        for tr, te in StratifiedKFold(3, shuffle=True, random_state=1).split(x, y):
            fitted = lgb.LGBMClassifier(**quick).fit(x[tr], y[tr])
            oof[te] = np.asarray(fitted.predict_proba(x[te]))[:, 1]
        self.held_out = oof
        grid = np.linspace(0.1, 0.9, 81)
        scores = [f1_score(y, oof >= t) for t in grid]
        return float(grid[int(np.argmax(scores))])

    def params(self) -> dict[str, Any]:
        """What the model card records of how this model was built."""
        return {"lightgbm": {k: v for k, v in self.lgb_params.items() if k != "verbose"},
                "threshold": round(self.threshold, 4), "features": self.feature_names}  # fmt: skip

    def _predict(self, x: np.ndarray, contrib: bool = False, threads: int | None = None
                 ) -> np.ndarray:  # fmt: skip
        """The trees' probability of the positive class (or each feature's contribution).

        The Booster itself, not the scikit-learn wrapper: the wrapper's checks and its
        two threads cost ~10 ms CPU a call, while the stream scores a few rows at every
        commit (0.2 ms on one thread). The same trees, the same values.
        """
        assert self.booster is not None
        one: dict[str, Any] = {"num_threads": 1} if len(x) < SMALL_PREDICT else {}  # or as trained
        if threads is not None:
            one = {"num_threads": threads}
        return np.asarray(self.booster.booster_.predict(x, pred_contrib=contrib, **one))

    def score(self, x: np.ndarray, threads: int | None = None) -> np.ndarray:
        """The probability of the positive class, the same values whichever scores it:
        the trees' machine code if the model carries code this process can load, else
        the numba kernel when it is (or is worth being) compiled, else the Booster.
        ``threads`` (default: :meth:`threads`) is for large batches; small ones take one."""
        many = len(x) >= SMALL_PREDICT
        n = (self.threads() if threads is None else threads) if many else 1
        native = self.loaded()
        if native:
            return np.asarray(native.predict(x, n))
        forest = self.compiled() if self.forest is not None or len(x) >= COMPILED_FROM else None
        if not forest:
            return self._predict(x, threads=threads)
        from scamnet.detect.compiled import predict

        return predict(forest, x, n)

    def ready_for(self, rows: int) -> None:
        """Get the scorer that ``score`` would pick for ``rows`` rows in one call ready,
        for a caller that scores them in smaller batches."""
        if not self.loaded() and rows >= COMPILED_FROM:
            self.compiled()

    def model_text(self) -> str:
        """The trees as LightGBM writes them, as many as its ``predict`` uses."""
        assert self.booster is not None
        booster = self.booster.booster_
        best = int(getattr(booster, "best_iteration", 0) or 0)
        return str(booster.model_to_string(num_iteration=best if best > 0 else None))

    def compile_machine_code(self, **options: Any) -> bool:
        """Compile the trees to object code to be saved with the model (~45 s for the
        subscriber model's 400 trees); ``options`` go to ``llvm_trees.compile_model``.
        False, and the log says why, if they cannot be: then the kernel scores."""
        try:
            from scamnet.detect.llvm_trees import compile_model

            self.machine_code = compile_model(self.model_text(), **options)
        except (ImportError, ValueError) as exc:  # NotCompilable is a ValueError
            log.warning("the %s trees are not compiled to machine code: %s", self.kind, exc)
            self.machine_code = None
        self.native = None
        return self.machine_code is not None

    def loaded(self) -> Any:
        """The machine code loaded in this process, or False if there is none this
        process can use (another processor, another model; the log says why)."""
        if self.native is None:
            self.native = False
            if self.machine_code is not None:
                try:
                    from scamnet.detect.llvm_trees import LLVMForest, model_sha256

                    self.native = LLVMForest(self.machine_code, model_sha256(self.model_text()))
                except (ImportError, ValueError, RuntimeError) as exc:
                    log.warning("the %s trees' machine code is not used: %s", self.kind, exc)
        return self.native

    def compiled(self) -> Any:
        """This model's compiled trees (built on first use), or False if they cannot be:
        then the Booster scores, and the log says why."""
        if self.forest is None:
            assert self.booster is not None
            try:
                from scamnet.detect.compiled import from_booster

                self.forest = from_booster(self.booster.booster_)
            except (ImportError, ValueError) as exc:  # NotCompilable is a ValueError
                log.warning("the %s trees score on LightGBM, uncompiled: %s", self.kind, exc)
                self.forest = False
        return self.forest

    def threads(self) -> int:
        """The threads the model was set to predict with (``n_jobs``), on the CPUs this
        process may use."""
        assert self.booster is not None
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        n_jobs = self.booster.get_params().get("n_jobs") or -1
        return max(1, min(n_jobs if n_jobs > 0 else cpus or 1, cpus or 1))

    def explain(
        self, x: np.ndarray, top: int = 3, currencies: Sequence[str | None] | None = None
    ) -> list[str]:
        """The features that pushed each row's score up, in words; amounts of money in
        the row's currency (``currencies``, one per row) when it is known."""
        contrib = self._predict(x, contrib=True)[:, :-1]
        out = []
        for i in range(len(x)):
            order = np.argsort(-contrib[i])[:top]
            currency = currencies[i] if currencies is not None else None
            parts = [f"{describe(self.feature_names[j])} = "
                     f"{_value(self.feature_names[j], x[i, j], currency)}"
                     for j in order if contrib[i, j] > 0]  # fmt: skip
            out.append("; ".join(parts) if parts else "nothing stands out")
        return out


def describe(name: str) -> str:
    if name in GRAPH_WORDS:
        return GRAPH_WORDS[name]
    if name in ACCOUNT_WORDS:
        return ACCOUNT_WORDS[name]
    if name.startswith("nb_"):
        return f"contacts' mean {describe(name[3:])}"
    return SUBSCRIBER_WORDS.get(name, name.replace("_", " "))


def _value(name: str, value: float, currency: str | None) -> str:
    if is_money(name) and not np.isnan(value):
        return format_money(float(value), currency)
    return _fmt(value)


def _fmt(value: float) -> str:
    if np.isnan(value):
        return "unknown"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3g}"

"""The four detectors behind ``scamnet model train|score|evaluate``.

Each is a versioned algorithm: ``message_char_svm_v1``, ``url_char_svm_v1``,
``subscriber_gbm_v2`` (v1 grew 150 trees at 0.1 with an F1-chosen threshold) and
``account_gbm_v1``. Messages and URLs ship the plain ``message_char_lr_plain_v1`` or
``url_char_lr_plain_v1`` instead when the gate (``detect/gate.py``) finds the tuned
one no better beyond noise.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from scamnet.detect.accounts import ACCOUNT_FEATURES, account_features
from scamnet.detect.data import (
    InputError,
    arrow_column,
    column,
    id_column,
    normal_class,
    numeric_matrix,
    read_table,
)
from scamnet.detect.gate import PLAIN, gated_text_model
from scamnet.detect.plain import PlainTextModel
from scamnet.detect.reputation import Reputation
from scamnet.detect.tabular import SMALL_PREDICT, GraphInput, TabularModel, graph_block
from scamnet.detect.text import TextModel

ALGORITHMS = {
    "message": "message_char_svm_v1",
    "url": "url_char_svm_v1",
    "subscriber": "subscriber_gbm_v2",
    "account": "account_gbm_v1",
}
TEXT_COLUMN = {"message": "text", "url": "url"}


@dataclass
class Inputs:
    """What a command was given, read and checked."""

    kind: str
    table: pa.Table
    ids: list[str] | None
    edges: GraphInput | None = None
    tx: dict[str, Any] | None = None
    labels: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def inputs_from_table(kind: str, table: pa.Table, label_column: str | None = None,
                      source: Path | str = "input") -> Inputs:  # fmt: skip
    """Inputs for ``kind`` from an in-memory table (the platform's own feature tables)."""
    if kind not in ALGORITHMS:
        raise InputError(f"unknown model kind {kind!r}; one of {sorted(ALGORITHMS)}")
    id_col = id_column(table)
    inputs = Inputs(kind, table, column(table, id_col) if id_col else None)
    if label_column is not None:
        inputs.labels = column(table, label_column, source)
    inputs.extra["exclude"] = {c for c in (id_col, label_column) if c}
    return inputs


def load_inputs(kind: str, input_path: Path, label_column: str | None = None,
                edges: Path | None = None, transactions: Path | None = None) -> Inputs:  # fmt: skip
    if kind not in ALGORITHMS:
        raise InputError(f"unknown model kind {kind!r}; one of {sorted(ALGORITHMS)}")
    inputs = inputs_from_table(kind, read_table(input_path), label_column, input_path)
    if kind == "subscriber" and edges is not None:
        e = read_table(edges)
        inputs.edges = GraphInput(column(e, "src", edges), column(e, "dst", edges))
    if kind == "account":
        if transactions is None:
            raise InputError("the account model needs --transactions")
        t = read_table(transactions)
        inputs.tx = {
            "src": column(t, "sourceNodeId", transactions),
            "dst": column(t, "targetNodeId", transactions),
            "value": np.array(column(t, "value", transactions), dtype=float),
            "time": np.array(column(t, "time", transactions), dtype=float),
        }
        if inputs.ids is None:
            raise InputError(f"{input_path}: the accounts need an id column (nodeid)")
    return inputs


def _features(inputs: Inputs, seeds: dict[str, float] | None) -> tuple[np.ndarray, list[str]]:
    """The matrix for the tabular kinds; ``seeds`` are labels known for propagation."""
    if inputs.kind == "account":
        assert inputs.tx is not None
        assert inputs.ids is not None
        tx = inputs.tx
        # Features are computed over every account in the flows, then the asked rows kept.
        everyone = list(dict.fromkeys([*inputs.ids, *tx["src"], *tx["dst"]]))
        full = account_features(everyone, tx["src"], tx["dst"], tx["value"], tx["time"])
        base = full[: len(inputs.ids)]
        graph = GraphInput(tx["src"], tx["dst"], list(tx["value"]))
        # No labels across graphs: a model trained on one bank's graph scores another's.
        block, names = graph_block(everyone, full, graph, False, ACCOUNT_FEATURES)
        return np.column_stack([base, block[: len(inputs.ids)]]), ACCOUNT_FEATURES + names
    # Scoring asks for the training columns, in the training order.
    base, names = numeric_matrix(
        inputs.table, inputs.extra["exclude"], inputs.extra.get("base_names")
    )
    if inputs.edges is None or inputs.ids is None:
        return base, names
    graph = GraphInput(inputs.edges.src, inputs.edges.dst, seeds=seeds or {})
    block, gnames = graph_block(inputs.ids, base, graph, True, names)
    return np.column_stack([base, block]), names + gnames


@dataclass
class Trained:
    """A fitted detector with what is needed to score new inputs."""

    kind: str
    classes: list[str]
    normal: str
    model: TextModel | PlainTextModel | TabularModel
    seeds: dict[str, float] = field(default_factory=dict)
    base_names: list[str] | None = None  # the input columns a tabular model was trained on
    # The model card: how it was built, and how it did on training rows it had not seen.
    card: dict[str, Any] = field(default_factory=dict)

    @property
    def positive(self) -> str:
        return next(c for c in self.classes if c != self.normal)

    @property
    def algorithm(self) -> str:
        """The versioned name of the algorithm this model is (a property, so models saved
        before the plain ones existed name themselves too)."""
        if isinstance(self.model, PlainTextModel):
            return PLAIN[self.kind]
        return ALGORITHMS[self.kind]


def train(inputs: Inputs, normal: str | None = None, gate: bool = True) -> Trained:
    """Fit the kind's detector. For messages and URLs, unless ``gate`` is off, the
    tuned model ships only if it beats the plain one beyond noise (``detect/gate.py``);
    the card records both figures and the decision."""
    if inputs.labels is None:
        raise InputError("training needs --label-column")
    labels = inputs.labels
    norm = normal_class(labels, normal)
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise InputError("training needs at least two classes")
    if inputs.kind in TEXT_COLUMN:
        # Probabilities are calibrated on held-out folds, which need two rows of each class.
        lonely = sorted(c for c in classes if labels.count(c) < 2)
        if lonely:
            raise InputError(f"each class needs at least two rows to calibrate on; "
                             f"{', '.join(map(repr, lonely))} has one")  # fmt: skip
        texts = column(inputs.table, TEXT_COLUMN[inputs.kind])
        shipped = gated_text_model(inputs.kind, texts, labels, norm, gate)
        text_model = shipped.model
        trained = Trained(inputs.kind, text_model.classes, norm, text_model)
        held = shipped.held_out  # not saved with the model
        if held is not None:
            picked = np.array(text_model.classes)[text_model.verdicts(held)]
            normal_at = text_model.classes.index(norm)
            _card(trained, text_model.params(), labels, picked, 1.0 - held[:, normal_at])
        trained.card["gate"] = shipped.gate
        return trained
    if len(classes) != 2:
        raise InputError(f"the {inputs.kind} model is binary; labels are {classes}")
    y = np.array([lab != norm for lab in labels], dtype=int)
    seeds = dict(zip(inputs.ids or [], y.astype(float).tolist(), strict=True))
    x, names = _features(inputs, seeds)
    tab = TabularModel(inputs.kind).fit(x, y, names)
    base_names = None
    if inputs.kind == "subscriber":
        base_names = numeric_matrix(inputs.table, inputs.extra["exclude"])[1]
    trained = Trained(inputs.kind, classes, norm, tab,
                      seeds if inputs.kind == "subscriber" else {}, base_names)  # fmt: skip
    held, tab.held_out = tab.held_out, None
    if held is not None:
        positive = trained.positive
        picked = np.where(held >= tab.threshold, positive, norm)
        _card(trained, tab.params(), labels, picked, held)
    return trained


def with_machine_code(trained: Trained) -> Trained:
    """Compile a tree model's trees to machine code before it is saved, so that every
    process that loads it scores at full speed without compiling (``detect/llvm_trees.py``);
    the code travels inside the signed payload. Other models are left as they are."""
    model = trained.model
    if isinstance(model, TabularModel) and model.machine_code is None:
        model.compile_machine_code()
    return trained


def _card(trained: Trained, params: dict[str, Any], labels: list[str], picked: np.ndarray,
          scores: np.ndarray) -> None:  # fmt: skip
    """Record the parameters and the figures on held-out training rows (each row scored
    by a model fitted without it, in the folds the training itself used)."""
    trained.card = {"parameters": params, "held_out_metrics": {
        "method": "out-of-fold predictions on the training rows; a decision threshold or "
                  "verdict shift, where one is chosen, was chosen on them too, so F1 "
                  "flatters a little (model evaluate does not)",
        **metrics(np.array(labels), picked.astype(str), scores, trained.normal),
    }}  # fmt: skip


def score(trained: Trained, inputs: Inputs, explain: bool = True,
          reputation: Reputation | None = None) -> dict[str, list[Any]]:  # fmt: skip
    """Columns of the prediction file: id (if any), score, label, why. URLs take
    ``reputation`` from victim reports into their score, label and explanation."""
    out: dict[str, list[Any]] = {}
    if inputs.ids is not None:
        out[id_column(inputs.table) or "id"] = inputs.ids
    if isinstance(trained.model, TextModel | PlainTextModel):
        return _score_text(trained, trained.model, inputs, explain, reputation, out)
    if trained.base_names is not None:
        inputs.extra["base_names"] = trained.base_names
    scores: list[np.ndarray] = []
    why: list[str] = []
    # Accounts come in one batch, in ``inputs.ids`` order: their amounts are explained
    # in each account's currency.
    currency_of = inputs.extra.get("currency_of") or {}
    currencies = [currency_of.get(a) for a in inputs.ids] if currency_of and inputs.ids else None
    if not explain and _by_rows(inputs):
        scores = _score_in_parallel(trained.model, inputs)
    if not scores:
        for x in _feature_batches(inputs, trained.seeds):
            scores.append(trained.model.score(x))
            if explain:
                why += trained.model.explain(x, currencies=currencies)
    s = np.concatenate(scores)
    out["score"] = s.round(6).tolist()
    # One lookup a row (``positive`` is a property that searches the classes).
    names = [trained.normal, trained.positive]
    out["label"] = [names[hit] for hit in (s >= trained.model.threshold).tolist()]
    if explain:
        out["why"] = why
    return out


def _score_text(trained: Trained, model: TextModel | PlainTextModel, inputs: Inputs, explain: bool,
                reputation: Reputation | None, out: dict[str, list[Any]]
                ) -> dict[str, list[Any]]:  # fmt: skip
    name = TEXT_COLUMN[trained.kind]
    # The model reads the Arrow column itself (the message kernel its UTF-8 bytes);
    # the texts become Python strings only to be explained or looked up.
    proba = model.predict_proba(arrow_column(inputs.table, name))
    normal_at = model.classes.index(trained.normal)
    scores = (1.0 - proba[:, normal_at]).round(6).tolist()
    labels = [model.classes[i] for i in model.verdicts(proba)]
    # Explain towards the most likely scam class, whatever the verdict.
    masked = proba.copy()
    masked[:, normal_at] = -1
    scam = masked.argmax(axis=1)
    texts = column(inputs.table, name) if explain or reputation is not None else []
    reasons = model.explain(texts, scam) if explain else [""] * len(texts)
    if reputation is not None and trained.kind == "url":
        lifted, reasons = reputation.apply(texts, scores, reasons)
        # A URL that reports name, lifted to even odds or more, is called the likeliest
        # scam class, whatever the verdict on the URL alone.
        labels = [model.classes[int(scam[i])] if lifted[i] > scores[i] and lifted[i] >= 0.5
                  else labels[i] for i in range(len(texts))]  # fmt: skip
        scores = lifted
    out["score"], out["label"] = scores, labels
    if explain:
        out["why"] = reasons
    return out


ROWS_PER_BATCH = 32_768


def _by_rows(inputs: Inputs) -> bool:
    """Rows scored on their own columns, each independent of the others (graph and
    account features need every row at once)."""
    return inputs.kind != "account" and inputs.edges is None


def _feature_batches(inputs: Inputs, seeds: dict[str, float]) -> Iterator[np.ndarray]:
    """Feature matrices of the rows, in order. Rows scored on their own columns come in
    batches: a matrix of a few megabytes is built and read while it is in cache, and
    its memory is reused, where one of the whole table costs more to allocate and
    copy than the trees take to score it."""
    if not _by_rows(inputs):
        yield _features(inputs, seeds)[0]
        return
    for lo in range(0, max(inputs.table.num_rows, 1), ROWS_PER_BATCH):
        yield _batch(inputs, lo, ROWS_PER_BATCH)


def _batch(inputs: Inputs, lo: int, rows: int) -> np.ndarray:
    part = Inputs(inputs.kind, inputs.table.slice(lo, rows), None, extra=inputs.extra)
    return _features(part, {})[0]


def _score_in_parallel(model: TabularModel, inputs: Inputs) -> list[np.ndarray]:
    """The scores of row-wise inputs, batch by batch on every thread the model scores
    with: each thread builds its batch's matrix from the Arrow columns and scores it on
    its own (Arrow, NumPy and the compiled trees release the GIL), so no serial step
    sits between the threads. Empty if one thread would do (then the caller scores)."""
    n = inputs.table.num_rows
    threads = model.threads()
    if threads <= 1 or n < 2 * SMALL_PREDICT:
        return []
    model.ready_for(n)
    rows = min(ROWS_PER_BATCH, -(-n // threads))
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda lo: model.score(_batch(inputs, lo, rows), threads=1),
                             range(0, n, rows)))  # fmt: skip


def evaluate(inputs: Inputs, folds: int, normal: str | None = None, seed: int = 0,
             gate: bool = True, shipped: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Stratified k-fold cross-validation of what ``train`` ships (``gate`` as there);
    every figure is from held-out folds. ``seed`` shuffles the rows into folds
    (repeating over seeds shows the noise). ``shipped``, if given, receives the
    algorithm each fold's training shipped."""
    if inputs.labels is None:
        raise InputError("evaluation needs --label-column")
    labels = np.array(inputs.labels)
    norm = normal_class(list(labels), normal)
    predicted = np.empty(len(labels), dtype=object)
    scores = np.zeros(len(labels))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(labels, labels):
        fold_train = subset(inputs, tr)
        fold_test = subset(inputs, te)
        trained = train(fold_train, norm, gate)
        if shipped is not None:
            shipped.append(trained.algorithm)
        result = score(trained, fold_test, explain=False)
        predicted[te] = result["label"]
        scores[te] = result["score"]
    return metrics(labels, predicted.astype(str), scores, norm)


def metrics(labels: np.ndarray, predicted: np.ndarray, scores: np.ndarray, norm: str
            ) -> dict[str, Any]:  # fmt: skip
    fraud = labels != norm
    out: dict[str, Any] = {
        "rows": len(labels),
        "roc_auc": float(roc_auc_score(fraud, scores)),
        "macro_f1": float(f1_score(labels, predicted, average="macro")),
        "accuracy": float((labels == predicted).mean()),
        "per_class_f1": {
            str(c): float(f1_score(labels, predicted, labels=[c], average="macro"))
            for c in sorted(set(labels))
        },
    }
    if len(set(labels)) == 2:
        pos = next(c for c in set(labels) if c != norm)
        out["f1_fraud"] = float(f1_score(labels, predicted, pos_label=pos))
        out["precision_fraud"] = float(precision_score(labels, predicted, pos_label=pos))
        out["recall_fraud"] = float(recall_score(labels, predicted, pos_label=pos))
    return out


def subset(inputs: Inputs, rows: np.ndarray) -> Inputs:
    sub = Inputs(inputs.kind, inputs.table.take(pa.array(rows)),
                 [inputs.ids[i] for i in rows] if inputs.ids is not None else None,
                 inputs.edges, inputs.tx,
                 [inputs.labels[i] for i in rows] if inputs.labels is not None else None,
                 dict(inputs.extra))  # fmt: skip
    return sub

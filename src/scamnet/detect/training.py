"""The model use cases on files: train a detector from a file of rows (and, if asked,
the analysts' verdicts) and register it or save it where asked; score a file; evaluate
on a file (``scamnet model train|score|evaluate`` and the API's model jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scamnet.detect.artifacts import data_hash, save_model, signing_key
from scamnet.detect.data import column, read_table
from scamnet.detect.detectors import (
    Trained,
    evaluate,
    load_inputs,
    score,
    train,
    with_machine_code,
)
from scamnet.detect.registry import ModelRegistry, Registered, card, train_and_register
from scamnet.detect.reputation import Reputation, reported_domains
from scamnet.detect.verdicts import VERDICT_COLUMN, VerdictLabels, with_verdicts
from scamnet.settings import Settings


@dataclass(frozen=True)
class Training:
    """What a training did: the model written, and how the analysts' verdicts counted."""

    kind: str
    algorithm: str
    rows: int
    path: Path
    registered: Registered | None  # None when saved to a directory of the user's choice
    verdicts: VerdictLabels | None  # None when the verdicts were not asked for
    # Messages and URLs: the gate's record (both figures, the noise, the decision in words).
    gate: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "algorithm": self.algorithm,
                               "rows": self.rows, "path": str(self.path)}  # fmt: skip
        if self.registered is not None:
            r = self.registered
            out.update(version=r.version.version, figure=r.version.card["frozen_evaluation"]
                       ["figure"], challenger=r.challenger, champion=r.champion,
                       promoted=r.promoted)  # fmt: skip
        if self.verdicts is not None:
            out["verdicts"] = self.verdicts.card()
        if self.gate is not None:
            out["gate"] = self.gate
        return out


def _hash_files(*paths: Path | None) -> str:
    return data_hash(*(p.read_bytes() for p in paths if p is not None))


def train_model(settings: Settings, kind: str, input_path: Path, label_column: str | None,
                verdicts: dict[str, int] | None = None, normal_class: str | None = None,
                edges: Path | None = None, transactions: Path | None = None,
                output: Path | None = None, gate: bool = True) -> Training:  # fmt: skip
    """Train a ``kind`` detector on ``input_path`` and save it with its data hash,
    parameters and classes. Messages and URLs ship the plain model unless the tuned one
    beats it beyond noise (``gate`` off: the tuned one ships untested; see `detect.gate`).

    ``verdicts`` (subject → 1 confirmed, 0 refuted; see `scamnet.detect.triage`) label
    the rows they name, over the label column. Without ``output`` the model joins the
    registry as a challenger, and becomes champion only if at least as good on the
    kind's frozen evaluation set.

    Raises:
        InputError: the input cannot be read, or has no usable labels.
    """
    inputs = load_inputs(kind, input_path, label_column, edges, transactions)
    applied: VerdictLabels | None = None
    extra: dict[str, Any] = {}
    if verdicts is not None:
        inputs, normal_class, applied = with_verdicts(inputs, verdicts, normal_class)
        extra = applied.card()
    column_name = label_column or VERDICT_COLUMN
    sha = _hash_files(input_path, edges, transactions)
    if output is None:
        done = train_and_register(ModelRegistry(settings), inputs, column_name, normal_class,
                                  {"data_sha256": sha, **extra}, gate)  # fmt: skip
        made = done.version.card
        return Training(kind, str(made["algorithm"]), inputs.table.num_rows,
                        done.version.path, done, applied, made.get("gate"))  # fmt: skip
    trained = train(inputs, normal_class, gate)
    meta = card(trained, column_name, inputs.table.num_rows, data_sha256=sha, **extra)
    if settings.compile_trees:
        with_machine_code(trained)
    save_model(output, meta, trained, signing_key(settings))
    return Training(kind, str(meta["algorithm"]), inputs.table.num_rows, output, None, applied,
                    meta.get("gate"))  # fmt: skip


@dataclass(frozen=True)
class Scored:
    """A file's predictions: one row per input row, in order (score, label, why)."""

    columns: dict[str, list[Any]]
    flagged: int  # rows labelled other than the model's normal class

    @property
    def rows(self) -> int:
        return len(self.columns["score"])


def score_file(
    trained: Trained,
    kind: str,
    input_path: Path,
    edges: Path | None = None,
    transactions: Path | None = None,
    reports: Path | None = None,
) -> Scored:
    """Score the rows of ``input_path`` with ``trained`` (see `trained_model`); URLs take
    the reputation of the victim reports in ``reports`` (a ``scammer_url`` column).

    Raises:
        InputError: the input or the reports cannot be read.
    """
    inputs = load_inputs(kind, input_path, None, edges, transactions)
    reputation = None
    if reports is not None:
        named = column(read_table(reports), "scammer_url", reports)
        reputation = Reputation(reported_domains(named))
    result = score(trained, inputs, reputation=reputation)
    flagged = sum(1 for label in result["label"] if label != trained.normal)
    return Scored({k: list(v) for k, v in result.items()}, flagged)


def evaluate_file(kind: str, input_path: Path, label_column: str, folds: int = 5,
                  normal_class: str | None = None, edges: Path | None = None,
                  transactions: Path | None = None) -> dict[str, Any]:  # fmt: skip
    """Cross-validated metrics of a kind's detector on a labelled file (stratified folds;
    no figure comes from training rows).

    Raises:
        InputError: the input cannot be read, or has no usable labels.
    """
    inputs = load_inputs(kind, input_path, label_column, edges, transactions)
    return evaluate(inputs, folds, normal_class)

"""``scamnet model``: train, score and evaluate the detectors (the evaluation contract)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import typer

from scamnet import __version__
from scamnet.cli.context import console, fail
from scamnet.cli.output import Table
from scamnet.detect.artifacts import UntrustedModel, data_hash, load_model, save_model
from scamnet.detect.data import InputError, column, read_table
from scamnet.detect.detectors import ALGORITHMS, evaluate, load_inputs, metrics, score, train
from scamnet.detect.reputation import Reputation, reported_domains

app = typer.Typer(help="Train, score and evaluate the fraud detectors.")


class Kind(StrEnum):
    subscriber = "subscriber"
    message = "message"
    url = "url"
    account = "account"


InputOpt = Annotated[Path, typer.Option("--input", help="The rows to learn from or to score.")]
EdgesOpt = Annotated[Path | None, typer.Option("--edges", help="Contact edges src,dst.")]
TxOpt = Annotated[Path | None, typer.Option("--transactions", help="Transfers between accounts.")]
NormalOpt = Annotated[
    str | None, typer.Option("--normal-class", help="The label of normal rows, if not obvious.")
]


def _hash_files(*paths: Path | None) -> str:
    return data_hash(*(p.read_bytes() for p in paths if p is not None))


@app.command("train")
def train_cmd(
    kind: Kind,
    input_path: InputOpt,
    label_column: Annotated[str, typer.Option("--label-column", help="The label column.")],
    output: Annotated[Path, typer.Option("--output", help="Model directory to write.")],
    edges: EdgesOpt = None,
    transactions: TxOpt = None,
    normal_class: NormalOpt = None,
) -> None:
    """Train a detector and save it with its data hash, parameters and classes."""
    try:
        inputs = load_inputs(kind.value, input_path, label_column, edges, transactions)
        trained = train(inputs, normal_class)
    except InputError as exc:
        raise fail(str(exc), 2) from None
    meta = {
        "algorithm": ALGORITHMS[kind.value], "kind": kind.value, "scamnet": __version__,
        "data_sha256": _hash_files(input_path, edges, transactions), "rows": inputs.table.num_rows,
        "label_column": label_column, "classes": trained.classes, "normal_class": trained.normal,
        **trained.card,
    }  # fmt: skip
    save_model(output, meta, trained)
    console.print(f"trained {meta['algorithm']} on {inputs.table.num_rows:,} rows → {output}")


@app.command("score")
def score_cmd(
    kind: Kind,
    model_dir: Annotated[Path, typer.Option("--model", help="A model directory from train.")],
    input_path: InputOpt,
    output: Annotated[Path, typer.Option("--output", help="Predictions CSV to write.")],
    edges: EdgesOpt = None,
    transactions: TxOpt = None,
    reports: Annotated[
        Path | None,
        typer.Option(
            "--reports",
            help="Victim reports with a scammer_url column (url only): each report naming "
            "a URL's registrable domain raises its score, and says so in why.",
        ),
    ] = None,
) -> None:
    """Score rows: one output row per input row, in order, with score, label and why."""
    if reports is not None and kind is not Kind.url:
        raise fail("--reports adds victim reports' reputation to URLs; it is for url only", 2)
    try:
        meta, trained = load_model(model_dir)
    except UntrustedModel as exc:
        raise fail(str(exc), 2) from None
    if meta.get("kind") != kind.value:
        raise fail(f"{model_dir} holds a {meta.get('kind')} model, not a {kind.value} model", 2)
    try:
        inputs = load_inputs(kind.value, input_path, None, edges, transactions)
        reputation = None
        if reports is not None:
            named = column(read_table(reports), "scammer_url", reports)
            reputation = Reputation(reported_domains(named))
        result = score(trained, inputs, reputation=reputation)
    except InputError as exc:
        raise fail(str(exc), 2) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(pa.table(result), output)
    flagged = sum(1 for lab in result["label"] if lab != trained.normal)
    console.print(f"scored {len(result['score']):,} rows ({flagged:,} flagged) → {output}")


@app.command("evaluate")
def evaluate_cmd(
    kind: Kind,
    input_path: InputOpt,
    label_column: Annotated[str, typer.Option("--label-column", help="The label column.")],
    folds: Annotated[int, typer.Option(help="Cross-validation folds.", min=2, max=20)] = 5,
    edges: EdgesOpt = None,
    transactions: TxOpt = None,
    normal_class: NormalOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Cross-validated metrics (stratified folds); no figure comes from training rows."""
    try:
        inputs = load_inputs(kind.value, input_path, label_column, edges, transactions)
        result = evaluate(inputs, folds, normal_class)
    except InputError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print_metrics(f"{ALGORITHMS[kind.value]}: {folds}-fold cross-validation", result)


def print_metrics(title: str, result: dict[str, Any]) -> None:
    table = Table(title=title, show_header=False)
    for key, value in result.items():
        if isinstance(value, dict):
            for cls, f1 in value.items():
                table.add_row(f"F1 {cls}", f"{f1:.4f}")
        else:
            table.add_row(key, f"{value:.4f}" if isinstance(value, float) else f"{value:,}")
    console.print(table)


__all__ = ["app", "metrics"]

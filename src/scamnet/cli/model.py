"""``scamnet model``: train, score and evaluate the detectors (the evaluation contract)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import typer

from scamnet.cli.context import (
    DEFAULT_USER,
    DataDirOption,
    UserOption,
    actor_for,
    console,
    fail,
    settings_for,
    unit_of_work,
)
from scamnet.cli.output import Table
from scamnet.core.access import Permission as Need
from scamnet.core.csvsafe import neutralise_columns
from scamnet.detect.artifacts import UntrustedModel
from scamnet.detect.data import InputError
from scamnet.detect.detectors import metrics
from scamnet.detect.registry import ModelRegistry, NoModel, Registered
from scamnet.detect.training import evaluate_file, score_file, train_model
from scamnet.detect.triage import analyst_labels
from scamnet.detect.verdicts import VerdictLabels

app = typer.Typer(help="Train, score and evaluate the fraud detectors.")


class Kind(StrEnum):
    subscriber = "subscriber"
    message = "message"
    url = "url"
    account = "account"


InputOpt = Annotated[Path, typer.Option("--input", help="The rows to learn from or to score.")]
EdgesOpt = Annotated[Path | None, typer.Option("--edges", help="Contact edges src,dst.")]
TxOpt = Annotated[Path | None, typer.Option("--transactions", help="Transfers between accounts.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
NormalOpt = Annotated[
    str | None, typer.Option("--normal-class", help="The label of normal rows, if not obvious.")
]


@app.command("train")
def train_cmd(
    kind: Kind,
    input_path: InputOpt,
    label_column: Annotated[
        str | None,
        typer.Option(
            "--label-column",
            help="The label column (optional with --from-verdicts: then analysts' verdicts "
            "are the only labels).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="Model directory to write. Without it, the model joins the data directory's "
            "registry as a challenger, and becomes champion only if at least as good on "
            "the kind's frozen evaluation set.",
            show_default=False,
        ),
    ] = None,
    edges: EdgesOpt = None,
    transactions: TxOpt = None,
    normal_class: NormalOpt = None,
    from_verdicts: Annotated[
        bool,
        typer.Option(
            "--from-verdicts",
            help="Label the rows whose id (or URL, or text) is an alert's subject with the "
            "analysts' verdicts on it: confirmed is a scam, false positive is not. They "
            "override the label column's labels; the model card counts them.",
        ),
    ] = False,
    no_gate: Annotated[
        bool,
        typer.Option(
            "--no-gate",
            help="Messages and URLs: ship the tuned model without comparing it with the "
            "plain one (by default the plain model ships unless the tuned one beats it "
            "beyond noise on held-out training rows).",
        ),
    ] = False,
    user: UserOption = DEFAULT_USER,
    data_dir: DataDirOption = None,
) -> None:
    """Train a detector and save it with its data hash, parameters and classes."""
    if label_column is None and not from_verdicts:
        raise fail("training needs --label-column, --from-verdicts, or both", 2)
    if from_verdicts:
        with unit_of_work(data_dir) as (settings, session):
            actor_for(settings, user, None, Need.ALERTS_READ)  # verdicts are analysts' work
            verdicts = analyst_labels(session, kind.value)
    settings = settings_for(data_dir, create=True)  # training brings a model in
    try:
        done = train_model(settings, kind.value, input_path, label_column,
                           verdicts if from_verdicts else None, normal_class, edges,
                           transactions, output, not no_gate)  # fmt: skip
    except InputError as exc:
        raise fail(str(exc), 2) from None
    if done.gate is not None:
        console.print(f"gate: {done.gate['decision']}", markup=False)
    if done.verdicts is not None:
        console.print(_verdicts_said(kind.value, done.verdicts))
    if done.registered is not None:
        _say_registered(done.registered)
        return
    console.print(f"trained {done.algorithm} on {done.rows:,} rows → {output}")


def _verdicts_said(kind: str, v: VerdictLabels) -> str:
    text = (f"{v.used:,} of the training labels came from analysts ({v.confirmed:,} confirmed, "
            f"{v.refuted:,} refuted; {v.changed:,} overrode the data) of {v.verdicts:,} "
            f"verdicts on {kind} alerts")  # fmt: skip
    if v.without_row:
        text += f"; {v.without_row:,} name a subject the input has no row for"
    if v.unclear:
        text += f"; {v.unclear:,} confirmed rows left as the data labelled them (which scam?)"
    return text


def _say_registered(done: Registered) -> None:
    figure = done.version.card["frozen_evaluation"]["figure"]
    rival = "no champion before" if done.champion is None else f"champion {done.champion:.4f}"
    verdict = "now the champion" if done.promoted else "kept as a challenger"
    console.print(
        f"trained {done.version.card['algorithm']} → {done.version.path}; {figure} "
        f"on the frozen set {done.challenger:.4f} ({rival}): {verdict}"
    )


@app.command("list")
def list_cmd(
    kind: Annotated[Kind | None, typer.Argument(help="Only this kind.")] = None,
    data_dir: DataDirOption = None,
    as_json: JsonOpt = False,
) -> None:
    """The saved versions of each kind, the champion marked, with their cards' figures."""
    registry = ModelRegistry(settings_for(data_dir))
    versions = registry.versions(kind.value if kind else None)
    if as_json:
        typer.echo(json.dumps([{"kind": v.kind, "version": v.version, "path": str(v.path),
                                "champion": v.champion, "card": v.card} for v in versions],
                              ensure_ascii=False, indent=2))  # fmt: skip
        return
    if not versions:
        console.print(f"no models saved under {registry.root}; `scamnet model train KIND …` "
                      "without --output saves one there")  # fmt: skip
        return
    table = Table(title=f"models under {registry.root}")
    for col in ("kind", "version", "champion", "algorithm", "trained", "rows",
                "frozen set", "champion then", "out-of-fold"):  # fmt: skip
        table.add_column(col, overflow="fold")
    for v in versions:
        table.add_row(v.kind, v.version, "yes" if v.champion else "", *_card_cells(v.card))
    console.print(table)


def _card_cells(card: dict[str, Any]) -> list[str]:
    frozen = card.get("frozen_evaluation") or {}
    figure = frozen.get("figure", "")
    mine = (frozen.get("challenger") or {}).get(figure)
    theirs = (frozen.get("champion") or {}).get(figure)
    oof = (card.get("held_out_metrics") or {}).get(figure or "macro_f1")
    return [str(card.get("algorithm", "")), str(card.get("created_at", "")),
            f"{card.get('rows', 0):,}",
            f"{figure} {mine:.4f}" if mine is not None else "",
            f"{theirs:.4f} ({frozen['champion']['version']})" if theirs is not None else "none",
            f"{oof:.4f}" if oof is not None else ""]  # fmt: skip


@app.command("score")
def score_cmd(
    kind: Kind,
    input_path: InputOpt,
    output: Annotated[Path, typer.Option("--output", help="Predictions CSV to write.")],
    model_dir: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="A model directory from train (default: the champion).",
            show_default=False,
        ),
    ] = None,
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
    data_dir: DataDirOption = None,
) -> None:
    """Score rows: one output row per input row, in order, with score, label and why."""
    if reports is not None and kind is not Kind.url:
        raise fail("--reports adds victim reports' reputation to URLs; it is for url only", 2)
    registry = ModelRegistry(settings_for(data_dir))
    try:
        if model_dir is None:
            trained = registry.champion(kind.value)[1]
        else:
            trained = registry.load(model_dir, kind.value)
    except (UntrustedModel, NoModel) as exc:
        raise fail(str(exc), 2) from None
    try:
        scored = score_file(trained, kind.value, input_path, edges, transactions, reports)
    except InputError as exc:
        raise fail(str(exc), 2) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(pa.table(neutralise_columns(scored.columns)), output)
    console.print(f"scored {scored.rows:,} rows ({scored.flagged:,} flagged) → {output}")


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
        result = evaluate_file(kind.value, input_path, label_column, folds, normal_class, edges,
                               transactions)  # fmt: skip
    except InputError as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    # Texts: each fold's training goes through the gate, so folds may ship either model.
    print_metrics(f"{kind.value}, as `model train` ships it: {folds}-fold cross-validation",
                  result)  # fmt: skip


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

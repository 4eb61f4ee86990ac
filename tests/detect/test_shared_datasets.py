"""The evaluation contract on every dataset in ``../shared/data``.

Each detector is trained through ``scamnet model train`` on part of a dataset and
scores the rest through ``scamnet model score``, as the independent evaluation
does. The output must keep the input's rows, order and id, and the held-out
quality must clear a floor well below the cross-validated figures in
BENCHMARKS.md (samples are smaller here, to keep the suite fast), so a broken
feature, model or label mapping fails.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score
from typer.testing import CliRunner

from scamnet.cli.main import app

runner = CliRunner()

# Each test here runs a demo world, a whole dataset or two servers: over 10 s.
pytestmark = pytest.mark.slow


def cli(*args: str | Path) -> None:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        out.writeheader()
        out.writerows(rows)
    return path


def split(
    rows: list[dict[str, str]], n_train: int, n_test: int
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A seeded shuffle, then disjoint training and held-out samples."""
    order = np.random.default_rng(0).permutation(len(rows))
    picked = [dict(rows[i], id=f"r{i}") for i in order]
    return picked[:n_train], picked[n_train : n_train + n_test]


TEXT_CASES = [
    # dataset, kind, column, rows to train on, rows held out, metric, floor
    ("en-sms-spam", "message", "text", 2000, 800, "f1:spam", 0.85),
    ("zh-fraud-texts", "message", "text", 2500, 800, "macro", 0.90),
    ("th-sms", "message", "text", 900, 244, "macro", 0.75),
    ("urls", "url", "url", 4000, 1000, "f1:phishing", 0.95),
]


@pytest.mark.parametrize(
    ("dataset", "kind", "column", "n_train", "n_test", "metric", "floor"),
    TEXT_CASES,
    ids=[c[0] for c in TEXT_CASES],
)
def test_text_contract_on_shared_dataset(
    shared_data: Path,
    tmp_path: Path,
    dataset: str,
    kind: str,
    column: str,
    n_train: int,
    n_test: int,
    metric: str,
    floor: float,
) -> None:
    train, test = split(read(shared_data / dataset / "dev.csv"), n_train, n_test)
    cli(
        "model",
        "train",
        kind,
        "--input",
        write(tmp_path / "train.csv", train, [column, "label"]),
        "--label-column",
        "label",
        "--output",
        tmp_path / "model",
    )
    # Held-out rows are scored without their labels, with an id to carry through.
    unlabelled = write(tmp_path / "test.csv", test, ["id", column])
    cli(
        "model",
        "score",
        kind,
        "--model",
        tmp_path / "model",
        "--input",
        unlabelled,
        "--output",
        tmp_path / "pred.csv",
    )
    pred = read(tmp_path / "pred.csv")
    assert [p["id"] for p in pred] == [r["id"] for r in test]
    assert all(0.0 <= float(p["score"]) <= 1.0 and p["why"] for p in pred)
    assert {p["label"] for p in pred} <= {r["label"] for r in train}
    truth, labels = [r["label"] for r in test], [p["label"] for p in pred]
    if metric == "macro":
        achieved = f1_score(truth, labels, average="macro")
    else:
        achieved = f1_score(truth, labels, pos_label=metric.split(":")[1])
    assert achieved >= floor, f"{dataset}: {metric} {achieved:.3f} < {floor}"


def test_subscriber_contract_on_sichuan_with_edges(shared_data: Path, tmp_path: Path) -> None:
    rows = read(shared_data / "sichuan" / "dev.csv")
    columns = list(rows[0])
    order = np.random.default_rng(0).permutation(len(rows))
    cut = int(len(rows) * 0.8)
    train = [rows[i] for i in order[:cut]]
    test = [rows[i] for i in order[cut:]]
    edges = shared_data / "sichuan" / "edges.csv"
    cli(
        "model",
        "train",
        "subscriber",
        "--input",
        write(tmp_path / "train.csv", train, columns),
        "--edges",
        edges,
        "--label-column",
        "label",
        "--output",
        tmp_path / "model",
    )
    card = json.loads((tmp_path / "model" / "model.json").read_text())
    assert card["parameters"]["features"][:2] == columns[1:3]  # the columns after node
    assert 0.0 < card["parameters"]["threshold"] < 1.0
    assert card["held_out_metrics"]["rows"] == len(train)
    assert card["held_out_metrics"]["roc_auc"] > 0.9
    features = [c for c in columns if c != "label"]
    cli(
        "model",
        "score",
        "subscriber",
        "--model",
        tmp_path / "model",
        "--edges",
        edges,
        "--input",
        write(tmp_path / "test.csv", test, features),
        "--output",
        tmp_path / "pred.csv",
    )
    pred = read(tmp_path / "pred.csv")
    assert [p["node"] for p in pred] == [r["node"] for r in test]
    assert {p["label"] for p in pred} <= {"0", "1"}
    truth = [int(r["label"]) for r in test]
    assert roc_auc_score(truth, [float(p["score"]) for p in pred]) >= 0.90
    assert f1_score(truth, [int(p["label"]) for p in pred]) >= 0.80


def test_account_contract_across_amlsim_graphs(shared_data: Path, tmp_path: Path) -> None:
    train, test = shared_data / "amlsim" / "20K_cycle200", shared_data / "amlsim" / "20K_fanin200"
    cli(
        "model",
        "train",
        "account",
        "--input",
        train / "nodes.csv",
        "--transactions",
        train / "transactions.csv",
        "--label-column",
        "isFraud",
        "--output",
        tmp_path / "model",
    )
    cli(
        "model",
        "score",
        "account",
        "--model",
        tmp_path / "model",
        "--input",
        test / "nodes.csv",
        "--transactions",
        test / "transactions.csv",
        "--output",
        tmp_path / "pred.csv",
    )
    nodes = read(test / "nodes.csv")
    pred = read(tmp_path / "pred.csv")
    assert [p["nodeid"] for p in pred] == [n["nodeid"] for n in nodes]
    truth = [int(n["isFraud"]) for n in nodes]
    assert f1_score(truth, [int(p["label"]) for p in pred]) >= 0.75

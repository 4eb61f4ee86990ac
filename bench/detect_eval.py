"""Cross-validated quality of the four detectors on ../shared/data, through the CLI contract.

Run: .venv/bin/python bench/detect_eval.py [--data ../shared/data] > detect-eval.json

Every figure is from held-out folds (``scamnet model evaluate --folds 5``), except
AMLSim, which is also trained on one graph and scored on the other.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sklearn.metrics import f1_score, roc_auc_score

SCAMNET = str(Path(sys.executable).with_name("scamnet"))


def run(*args: str) -> str:
    return subprocess.run([SCAMNET, *args], capture_output=True, text=True, check=True).stdout


def evaluate(name: str, kind: str, path: Path, *extra: str) -> dict[str, object]:
    began = time.perf_counter()
    out = run("model", "evaluate", kind, "--input", str(path), "--label-column",
              "isFraud" if kind == "account" else "label", "--folds", "5", "--json", *extra)  # fmt: skip
    result: dict[str, object] = json.loads(out)
    result["seconds"] = round(time.perf_counter() - began, 1)
    print(name, json.dumps(result, ensure_ascii=False), file=sys.stderr, flush=True)
    return result


def cross_graph(data: Path, train_graph: str, test_graph: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        model, pred = Path(tmp) / "m", Path(tmp) / "p.csv"
        g_train, g_test = data / "amlsim" / train_graph, data / "amlsim" / test_graph
        run("model", "train", "account", "--input", str(g_train / "nodes.csv"), "--transactions",
            str(g_train / "transactions.csv"), "--label-column", "isFraud", "--output", str(model))  # fmt: skip
        run("model", "score", "account", "--model", str(model), "--input",
            str(g_test / "nodes.csv"), "--transactions", str(g_test / "transactions.csv"),
            "--output", str(pred))  # fmt: skip
        with (g_test / "nodes.csv").open() as fh:
            truth = [int(r["isFraud"]) for r in csv.DictReader(fh)]
        with pred.open() as fh:
            rows = list(csv.DictReader(fh))
    labels = [int(r["label"]) for r in rows]
    scores = [float(r["score"]) for r in rows]
    result = {"f1_fraud": f1_score(truth, labels), "roc_auc": roc_auc_score(truth, scores)}
    print(f"amlsim {train_graph} -> {test_graph}", result, file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    d = args.data
    results = {
        "sichuan": evaluate(
            "sichuan",
            "subscriber",
            d / "sichuan" / "dev.csv",
            "--edges",
            str(d / "sichuan" / "edges.csv"),
        ),
        "zh-fraud-texts": evaluate("zh", "message", d / "zh-fraud-texts" / "dev.csv"),
        "en-sms-spam": evaluate("en", "message", d / "en-sms-spam" / "dev.csv"),
        "th-sms": evaluate("th", "message", d / "th-sms" / "dev.csv"),
        "urls": evaluate("urls", "url", d / "urls" / "dev.csv"),
        "amlsim cycle200 -> fanin200": cross_graph(d, "20K_cycle200", "20K_fanin200"),
        "amlsim fanin200 -> cycle200": cross_graph(d, "20K_fanin200", "20K_cycle200"),
    }
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

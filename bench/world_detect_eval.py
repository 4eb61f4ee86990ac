"""Detectors on simulated worlds, against the simulator's ground truth (issue 5).

Run: .venv/bin/python bench/world_detect_eval.py --seeds 11 12 13 [--preset demo]

Worlds 11-13 were not used while the detectors were developed (the demo world is
seed 7). Each world is simulated, ingested through the real pipeline (messy rows
and all) and then, per detector, cross-validated in 5 folds on the truth:

- subscriber: the lake's per-subscriber features, labelled by ``truth/subscribers``;
  ROC-AUC and F1 of fraud numbers.
- message: the world's messages file (the lake keeps no message id to join the truth
  on), labelled with their fraud type or ``normal`` (``truth/messages``); macro-F1
  over the types, and ROC-AUC of scam against normal.
- account: the accounts in the lake's transfers, as ``scamnet detect accounts`` reads
  them (fraud: organisers' accounts, mules, money controllers' wallets;
  ``truth/accounts``); F1 of fraud accounts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from scamnet.cli.context import console
from scamnet.cli.demo import ingest_world
from scamnet.cli.demo_detect import (
    labelled_accounts,
    labelled_messages,
    lake_window,
    read_csv,
)
from scamnet.cli.detect import subscriber_table
from scamnet.detect.alerts import account_inputs
from scamnet.detect.detectors import evaluate, inputs_from_table
from scamnet.settings import Settings, sqlite_url
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store


def subscribers(world: Path, settings: Settings, store: Store) -> dict[str, Any]:
    first, last = lake_window(settings)
    table = subscriber_table(store, settings.data_dir, first, last).sort_by("msisdn")
    truth = {r["msisdn"]: r["is_fraud"] for r in read_csv(world / "truth" / "subscribers.csv")}
    msisdns = table.column("msisdn").to_pylist()
    keep = [i for i, m in enumerate(msisdns) if m in truth]
    labelled = table.take(keep).append_column("label", pa.array([truth[msisdns[i]] for i in keep]))
    return evaluate(inputs_from_table("subscriber", labelled, "label"), 5)


def messages(world: Path) -> dict[str, Any]:
    texts, truth = labelled_messages(world)
    table = pa.table({
        "message_id": list(texts),
        "text": list(texts.values()),
        "label": [truth[m] for m in texts],
    })  # fmt: skip
    return evaluate(inputs_from_table("message", table, "label"), 5, "normal")


def accounts(world: Path, settings: Settings) -> dict[str, Any]:
    transfers, known, truth = labelled_accounts(world, settings)
    return evaluate(account_inputs(transfers, known, [truth[a] for a in known]), 5)


def one_world(seed: int, preset: str) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world = root / "world"
        simulate(PRESETS[preset].with_overrides(seed=seed), world)
        settings = Settings(data_dir=root, database_url=sqlite_url(root / "scamnet.db"))
        store = Store(settings.database_url)
        store.upgrade()
        ingest_world(world, settings, store)
        out = {"subscriber": subscribers(world, settings, store), "message": messages(world),
               "account": accounts(world, settings)}  # fmt: skip
        store.dispose()
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--preset", default="demo", choices=sorted(PRESETS))
    args = parser.parse_args()
    console.quiet = True  # ingestion's per-file totals would mix with the JSON on stdout
    results = {}
    for seed in args.seeds:
        began = time.perf_counter()
        results[seed] = one_world(seed, args.preset)
        r = results[seed]
        print(f"seed {seed} ({time.perf_counter() - began:.0f} s): "
              f"subscriber AUC {r['subscriber']['roc_auc']:.4f} F1 {r['subscriber']['f1_fraud']:.4f}; "
              f"message macro-F1 {r['message']['macro_f1']:.4f} AUC {r['message']['roc_auc']:.4f}; "
              f"account F1 {r['account']['f1_fraud']:.4f} AUC {r['account']['roc_auc']:.4f}",
              file=sys.stderr, flush=True)  # fmt: skip
    medians = {
        "subscriber_auc": statistics.median(r["subscriber"]["roc_auc"] for r in results.values()),
        "subscriber_f1": statistics.median(r["subscriber"]["f1_fraud"] for r in results.values()),
        "message_macro_f1": statistics.median(r["message"]["macro_f1"] for r in results.values()),
        "account_f1": statistics.median(r["account"]["f1_fraud"] for r in results.values()),
    }
    print(json.dumps({"seeds": results, "medians": medians}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

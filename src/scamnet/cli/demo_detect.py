"""The demo's detection step: each detector learns from half of what the world's
ground truth confirms, is measured on the other half, then alerts on everything."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
from sklearn.metrics import f1_score

from scamnet.cli.context import console
from scamnet.cli.detect import store_alerts, subscriber_table
from scamnet.detect.alerts import (
    account_alerts,
    account_inputs,
    alerts_from,
    message_table,
    transfer_table,
)
from scamnet.detect.detectors import Inputs, Trained, inputs_from_table, score, train
from scamnet.detect.registry import ModelRegistry, register_with_held_out
from scamnet.engine import open_engine
from scamnet.ingest.sources import detect_encoding
from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.simulate.baseline import roc_auc
from scamnet.store import Store

T = TypeVar("T")


def halves(known: Sequence[T]) -> tuple[list[T], list[T]]:
    """A reproducible half of ``known`` (the confirmed cases) and the rest (held out)."""
    rng = random.Random(0)  # noqa: S311 - a reproducible split, not a secret
    picked = set(rng.sample(range(len(known)), len(known) // 2))
    return ([k for i, k in enumerate(known) if i in picked],
            [k for i, k in enumerate(known) if i not in picked])  # fmt: skip


def detect_world(world: Path, settings: Settings, store: Store) -> None:
    """Train on half of the confirmed cases, measure on the other half, store alerts."""
    first, last = lake_window(settings)
    # Rows come back in no particular order; sorting makes the split reproducible.
    table = subscriber_table(store, settings.data_dir, first, last).sort_by("msisdn")
    truth = {r["msisdn"]: r["is_fraud"] for r in read_csv(world / "truth" / "subscribers.csv")}
    known = [i for i, m in enumerate(table.column("msisdn").to_pylist()) if m in truth]
    confirmed, held_out = halves(known)
    labelled = table.take(confirmed).append_column(
        "label", pa.array([truth[m] for m in table.take(confirmed).column("msisdn").to_pylist()])
    )
    trained = train(inputs_from_table("subscriber", labelled, "label"))
    held = table.take(held_out)
    scores = score(trained, inputs_from_table("subscriber", held), explain=False)["score"]
    held_truth = [truth[m] for m in held.column("msisdn").to_pylist()]
    auc = roc_auc(np.array([int(t) for t in held_truth]), np.array(scores))
    console.print(f"subscriber model trained on {len(confirmed):,} confirmed cases; "
                  f"ROC-AUC on the other {len(held_out):,}: [bold]{auc:.3f}[/bold]")  # fmt: skip
    labelled_held = held.append_column("label", pa.array(held_truth))
    save(settings, trained, inputs_from_table("subscriber", labelled_held, "label"), len(confirmed))
    alerts = alerts_from("subscriber", trained, table, "msisdn", f"{first}/{last}")
    store_alerts(store, alerts, "subscriber", 5, "demo", f"{first}/{last}")
    detect_messages(world, settings, store)
    detect_accounts(world, settings, store)


def detect_accounts(world: Path, settings: Settings, store: Store) -> None:
    """The same for accounts, from the money flows in the lake: mules and controllers."""
    first, last = lake_window(settings)
    transfers, known, truth = labelled_accounts(world, settings)
    confirmed, held_out = halves(sorted(known))
    trained = train(account_inputs(transfers, confirmed, [truth[a] for a in confirmed]))
    verdicts = score(trained, account_inputs(transfers, held_out), explain=False)["label"]
    f1 = f1_score([truth[a] for a in held_out], verdicts, pos_label=trained.positive)
    console.print(f"account model trained on {len(confirmed):,} confirmed accounts; "
                  f"F1 on the other {len(held_out):,}: [bold]{f1:.3f}[/bold]")  # fmt: skip
    held = account_inputs(transfers, held_out, [truth[a] for a in held_out])
    save(settings, trained, held, len(confirmed))
    window = f"{first}/{last}"
    store_alerts(store, account_alerts(trained, transfers, window), "account", 5, "demo", window)


def detect_messages(world: Path, settings: Settings, store: Store) -> None:
    """Messages: scam or normal, and the fraud type, learnt from half the world's
    labelled messages; alerts over the lake's messages name the phrases."""
    texts, truth = labelled_messages(world)
    confirmed, held_out = halves(sorted(texts))
    table = pa.table({"text": [texts[m] for m in confirmed],
                      "label": [truth[m] for m in confirmed]})  # fmt: skip
    trained = train(inputs_from_table("message", table, "label"), "normal")
    verdicts = score(trained, inputs_from_table("message", pa.table(
        {"text": [texts[m] for m in held_out]})), explain=False)["label"]  # fmt: skip
    macro = f1_score([truth[m] for m in held_out], verdicts, average="macro")
    console.print(f"message model trained on {len(confirmed):,} labelled messages; "
                  f"macro-F1 over {len(trained.classes)} classes on the other "
                  f"{len(held_out):,}: [bold]{macro:.3f}[/bold]")  # fmt: skip
    held = pa.table({"text": [texts[m] for m in held_out], "label": [truth[m] for m in held_out]})
    save(settings, trained, inputs_from_table("message", held, "label"), len(confirmed))
    first, last = lake_window(settings)
    with open_engine("duckdb") as engine:
        engine.attach_lake(RecordLake(settings.lake_dir))
        lake_messages = message_table(engine, first, last)
    window = f"{first}/{last}"
    alerts = alerts_from("message", trained, lake_messages, "message_id", window)
    store_alerts(store, alerts, "message", 5, "demo", window)


def save(settings: Settings, trained: Trained, held_out: Inputs, rows: int) -> None:
    """Keep the model in the demo's registry, so `scamnet detect …` runs again with it;
    the held-out half it was measured on becomes the kind's frozen evaluation set."""
    done = register_with_held_out(ModelRegistry(settings), trained, held_out, "label", rows)
    console.print(
        f"  saved as {done.version.path} ({'champion' if done.promoted else 'challenger'})"
    )


def labelled_accounts(world: Path, settings: Settings
                      ) -> tuple[pa.Table, list[str], dict[str, str]]:  # fmt: skip
    """The lake's transfers over the window, the accounts in them the truth knows (in
    order of appearance), and the truth (``is_fraud``) by account."""
    first, last = lake_window(settings)
    with open_engine("duckdb") as engine:
        engine.attach_lake(RecordLake(settings.lake_dir))
        transfers = transfer_table(engine, first, last)
    truth = {r["account"]: r["is_fraud"] for r in read_csv(world / "truth" / "accounts.csv")}
    seen = dict.fromkeys(str(a) for c in ("src", "dst") for a in transfers.column(c).to_pylist())
    return transfers, [a for a in seen if a in truth], truth


def labelled_messages(world: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Texts by message id (first copy of each, blank ones left out) and labels by id,
    from the world's files: the lake keeps no message id to join the truth on."""
    truth = {r["message_id"]: r["label"] for r in read_csv(world / "truth" / "messages.csv")}
    texts: dict[str, str] = {}
    for row in read_csv(world / "messages.csv"):  # the raw file: duplicates and all
        if row["message_id"] in truth and (row.get("text") or "").strip():
            texts.setdefault(row["message_id"], row["text"])
    return texts, truth


def lake_window(settings: Settings) -> tuple[date, date]:
    days = RecordLake(settings.lake_dir).days(RecordKind.CALLS)
    # The first partition holds only the hours before midnight UTC of the first day.
    return date.fromisoformat(days[1]), date.fromisoformat(days[-1])


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a world file, in the encoding ingestion detects (the simulator writes some
    files in GB18030, as partner agencies do)."""
    raw = path.read_bytes()
    text = raw.decode(detect_encoding(raw[: 1 << 20]), errors="replace")
    return list(csv.DictReader(io.StringIO(text, newline="")))

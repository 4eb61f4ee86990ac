"""``scamnet demo``: the first thing a newcomer runs.

It lays down a fresh data directory, migrates it, loads the reference agencies
and prints a summary. Later capabilities extend it step by step.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import numpy as np
import pyarrow as pa
import typer
from rich.table import Table
from rich.tree import Tree
from sklearn.metrics import f1_score

from scamnet import __version__
from scamnet.cli.context import console, fail
from scamnet.cli.demo_cases import (
    exchange_handover,
    hold_back_partner_batch,
    print_statistics_and_bulletin,
)
from scamnet.cli.demo_network import network_world, resolve_world
from scamnet.cli.detect import store_alerts, subscriber_table
from scamnet.cli.ingest import print_totals
from scamnet.cli.simulate import Preset, print_summary
from scamnet.core.entities import Agency
from scamnet.core.reference import reference_agencies
from scamnet.detect.alerts import account_alerts, account_inputs, alerts_from, transfer_table
from scamnet.detect.detectors import inputs_from_table, score, train
from scamnet.engine import open_engine
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor, IngestSummary
from scamnet.lake import RecordKind, RecordLake
from scamnet.simulate import PRESETS, simulate
from scamnet.simulate.baseline import roc_auc
from scamnet.store import Settings, Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.audit import AuditLog
from scamnet.store.records import StoreLedger, StoreSink
from scamnet.store.settings import sqlite_url

MARKER = ".scamnet-demo"
DEFAULT_DEMO_DIR = Path("./scamnet-data/demo")


def fresh_demo_dir(path: Path) -> Path:
    """Empty ``path`` for the demo; refuse to wipe a directory the demo did not create."""
    if path.exists():
        if any(path.iterdir()) and not (path / MARKER).exists():
            raise fail(f"{path} exists and is not a demo directory; choose another --data-dir")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("created by scamnet demo; removed by the next demo run\n")
    return path


def agency_tree(agencies: list[Agency]) -> Tree:
    root = Tree("[bold]Agencies[/bold]")
    nodes: dict[str, Tree] = {}
    for agency in agencies:
        parent = nodes.get(agency.parent_code or "", root)
        label = f"{agency.name} [dim]({agency.code}, {agency.level.value}, {agency.country})[/dim]"
        nodes[agency.code] = parent.add(label)
    return root


DEMO_FILES = {
    "cells": ["cells.csv"],
    "calls": ["calls/*.csv"],
    "messages": ["messages.csv"],
    "transfers": ["transfers.csv"],
    "reports": ["reports.csv"],
    "persons": ["persons.csv"],
    "wanted": ["wanted.csv"],
    "handovers": ["handovers.csv"],
}


def ingest_world(world: Path, settings: Settings, store: Store) -> None:
    """Ingest every file the simulator wrote and print one summary per kind."""
    ingestor = Ingestor(settings.data_dir)
    try:
        for kind, patterns in DEMO_FILES.items():
            summary = IngestSummary(kind)
            for path in sorted(p for pattern in patterns for p in world.glob(pattern)):
                with store.session() as session:
                    summary.files.append(ingestor.ingest_file(
                        kind, path, Mapping(), StoreLedger(session), StoreSink(session)
                    ))  # fmt: skip
            print_totals(summary)
    finally:
        ingestor.close()


def detect_world(world: Path, settings: Settings, store: Store) -> None:
    """Train on half of the confirmed cases, measure on the other half, store alerts."""
    first, last = lake_window(settings)
    # Rows come back in no particular order; sorting makes the split reproducible.
    table = subscriber_table(store, settings.data_dir, first, last).sort_by("msisdn")
    truth = {r["msisdn"]: r["is_fraud"] for r in read_csv(world / "truth" / "subscribers.csv")}
    known = [i for i, m in enumerate(table.column("msisdn").to_pylist()) if m in truth]
    rng = random.Random(0)  # noqa: S311 - a reproducible split, not a secret
    confirmed = sorted(rng.sample(known, len(known) // 2))
    held_out = sorted(set(known) - set(confirmed))
    labelled = table.take(confirmed).append_column(
        "label", pa.array([truth[m] for m in table.take(confirmed).column("msisdn").to_pylist()])
    )
    trained = train(inputs_from_table("subscriber", labelled, "label"))
    held = table.take(held_out)
    scores = score(trained, inputs_from_table("subscriber", held), explain=False)["score"]
    auc = roc_auc(np.array([int(truth[m]) for m in held.column("msisdn").to_pylist()]),
                  np.array(scores))  # fmt: skip
    console.print(f"subscriber model trained on {len(confirmed):,} confirmed cases; "
                  f"ROC-AUC on the other {len(held_out):,}: [bold]{auc:.3f}[/bold]")  # fmt: skip
    alerts = alerts_from("subscriber", trained, table, "msisdn", f"{first}/{last}")
    store_alerts(store, alerts, "subscriber", 5, "demo", f"{first}/{last}")
    detect_accounts(world, settings, store)


def detect_accounts(world: Path, settings: Settings, store: Store) -> None:
    """The same for accounts, from the money flows in the lake: mules and controllers."""
    first, last = lake_window(settings)
    with open_engine("duckdb") as engine:
        engine.attach_lake(RecordLake(settings.lake_dir))
        transfers = transfer_table(engine, first, last)
    truth = {r["account"]: r["is_fraud"] for r in read_csv(world / "truth" / "accounts.csv")}
    seen = sorted({str(a) for col in ("src", "dst") for a in transfers.column(col).to_pylist()})
    known = [a for a in seen if a in truth]
    rng = random.Random(0)  # noqa: S311 - a reproducible split, not a secret
    confirmed = sorted(rng.sample(known, len(known) // 2))
    held_out = sorted(set(known) - set(confirmed))
    trained = train(account_inputs(transfers, confirmed, [truth[a] for a in confirmed]))
    verdicts = score(trained, account_inputs(transfers, held_out), explain=False)["label"]
    f1 = f1_score([truth[a] for a in held_out], verdicts, pos_label=trained.positive)
    console.print(f"account model trained on {len(confirmed):,} confirmed accounts; "
                  f"F1 on the other {len(held_out):,}: [bold]{f1:.3f}[/bold]")  # fmt: skip
    window = f"{first}/{last}"
    store_alerts(store, account_alerts(trained, transfers, window), "account", 5, "demo", window)


def lake_window(settings: Settings) -> tuple[date, date]:
    days = RecordLake(settings.lake_dir).days(RecordKind.CALLS)
    # The first partition holds only the hours before midnight UTC of the first day.
    return date.fromisoformat(days[1]), date.fromisoformat(days[-1])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Where the demo world is laid down (wiped first).")
    ] = DEFAULT_DEMO_DIR,
    serve: Annotated[
        bool | None,
        typer.Option(
            "--serve/--no-serve",
            help="Serve the HTTP API after the summary (default: when run from a terminal).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8000,
    preset: Annotated[
        Preset, typer.Option(help="Size of the simulated world the demo starts from.")
    ] = Preset.demo,
    seed: Annotated[int, typer.Option(help="Seed of the simulated world.")] = 7,
) -> None:
    """Run the demo: simulate a world, migrate a fresh store, load agencies, summarise."""
    root = fresh_demo_dir(data_dir)
    console.rule("[bold]1. Simulate[/bold] a fraud world with known ground truth")
    world = simulate(PRESETS[preset.value].with_overrides(seed=seed), root / "world")
    print_summary(world)
    console.rule("[bold]2. Store[/bold]: migrations and reference agencies")
    settings = Settings(data_dir=root, database_url=sqlite_url(root / "scamnet.db"))
    store = Store(settings.database_url)
    store.upgrade()
    with store.session() as session:
        added = AgencyRepository(session).ensure(reference_agencies())
        AuditLog(session).append("demo", "reference.load", "agencies", {"added": added})
    with store.session() as session:
        agencies = AgencyRepository(session).all()
        chain_ok = AuditLog(session).verify() is None

    summary = Table(title=f"scamnet {__version__} demo", show_header=False)
    summary.add_row("data directory", str(root.resolve()))
    summary.add_row("store", f"{store.dialect}, schema {store.current_revision()}")
    summary.add_row("record lake", str(settings.lake_dir.resolve()))
    summary.add_row("agencies loaded", str(added))
    summary.add_row("audit chain", "verified" if chain_ok else "BROKEN")
    console.print(summary)
    console.print(agency_tree(agencies))
    console.rule("[bold]3. Ingest[/bold] the world, messy rows and all")
    partner_manifest = hold_back_partner_batch(root / "world")
    ingest_world(root / "world", settings, store)
    console.rule("[bold]4. Detect[/bold]: learn from confirmed cases, alert on the rest")
    detect_world(root / "world", settings, store)
    console.rule("[bold]5. Resolve[/bold]: who is who across agencies and scripts")
    resolve_world(store, settings)
    console.rule("[bold]6. Networks[/bold]: groups, suspected ringleaders, compounds")
    network_world(store, settings)
    if partner_manifest is not None:
        console.rule("[bold]7. Cases[/bold]: a handover from Muse through the signed exchange")
        exchange_handover(root, store, partner_manifest)
    console.rule("[bold]8. Report[/bold]: statistics from the records, and the bulletin")
    print_statistics_and_bulletin(store)
    store.dispose()
    if serve if serve is not None else sys.stdin.isatty():
        from scamnet.api.serve import serve_api

        serve_api(settings, port=port)

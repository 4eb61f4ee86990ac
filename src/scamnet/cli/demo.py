"""``scamnet demo``: the first thing a newcomer runs.

It lays down a fresh data directory, migrates it, loads the reference agencies
and prints a summary. Later capabilities extend it step by step.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.tree import Tree

from scamnet import __version__
from scamnet.cli.context import console, fail, record_sink
from scamnet.cli.demo_cases import (
    exchange_handover,
    hold_back_partner_batch,
    print_statistics_and_bulletin,
)
from scamnet.cli.demo_detect import detect_world
from scamnet.cli.demo_network import network_world, resolve_world
from scamnet.cli.ingest import print_totals
from scamnet.cli.output import Table
from scamnet.cli.simulate import Preset, print_summary
from scamnet.core.entities import Agency
from scamnet.core.reference import reference_agencies
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor, IngestSummary
from scamnet.security.audit import chain_intact
from scamnet.settings import Settings, sqlite_url
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.records import StoreLedger

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
                        kind, path, Mapping(), StoreLedger(session), record_sink(session)
                    ))  # fmt: skip
            print_totals(summary)
    finally:
        ingestor.close()


DEMO_ADMIN = "demo"  # the demo's casework is done in this name (demo_network.DEMO)
LOGIN_FILE = "demo-login.txt"


def add_demo_admin(store: Store, root: Path) -> str:
    """The demo's admin (and supervisor) for the Dehong bureau, with a fresh password.

    The password is random, never a constant a careless deployment would keep; it is
    printed and kept in a file only its owner can read.
    """
    import secrets

    from scamnet.core.access import UserRole
    from scamnet.security.users import add_user

    password = secrets.token_urlsafe(12)
    with store.session() as session:
        add_user(session, None, DEMO_ADMIN, password,
                 frozenset({UserRole.ADMIN, UserRole.SUPERVISOR}), "CN-YN-DH")  # fmt: skip
    login = root / LOGIN_FILE
    login.write_text(f"{DEMO_ADMIN}\n{password}\n", encoding="utf-8")
    login.chmod(0o600)
    return password


def print_next_steps(root: Path, port: int, password: str) -> None:
    """Where to go from here: the demo world stays, and every command can explore it."""
    where = shlex.quote(str(root.resolve()))
    console.rule("[bold]Keep exploring[/bold] the demo world")
    console.print(f"in a browser: http://127.0.0.1:{port}/  (log in as {DEMO_ADMIN} / {password})",
                  markup=False)  # fmt: skip
    console.print(f"export SCAMNET_DATA_DIR={where} SCAMNET_USER={DEMO_ADMIN}")
    for command, what in (
        ("scamnet alerts list --kind subscriber --status open", "the analyst's queue"),
        ("scamnet network list", "the groups and their suspected ringleaders"),
        ('scamnet resolve match --name "Ming Zhi"', "find a person by a name in any script"),
        ("scamnet case list", "the cases the demo opened"),
    ):
        console.print(f"{command:<56} # {what}", markup=False)


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
        added = AgencyRepository(session).ensure(reference_agencies(), by="demo")
    password = add_demo_admin(store, root)
    with store.session() as session:
        agencies = AgencyRepository(session).all()
        chain_ok = chain_intact(session)

    summary = Table(title=f"scamnet {__version__} demo", show_header=False)
    summary.add_row("data directory", str(root.resolve()))
    summary.add_row("store", f"{store.dialect}, schema {store.current_revision()}")
    summary.add_row("record lake", str(settings.lake_dir.resolve()))
    summary.add_row("agencies loaded", str(added))
    summary.add_row("audit chain", "verified" if chain_ok else "BROKEN")
    summary.add_row("demo login", f"{DEMO_ADMIN} / {password} (also in {root / LOGIN_FILE})")
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
    print_next_steps(root, port, password)
    if serve if serve is not None else sys.stdin.isatty():
        from scamnet.api.serve import serve_api

        serve_api(settings, port=port)

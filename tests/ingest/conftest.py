"""Ingestion fixtures: a tiny simulated world, and a fresh data directory with a store."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scamnet.cli.context import record_sink
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import FileResult, Ingestor
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store
from scamnet.store.records import StoreLedger

IngestFn = Callable[..., FileResult]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate(PRESETS["tiny"].with_overrides(days=3, messages=1500), out)
    return out


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def ingest(data_dir: Path, sqlite_template: Path) -> Iterator[IngestFn]:
    """``ingest(kind, path, mapping=None)`` runs one file through a real store and lake
    (the store a copy of the session's migrated one, see tests/conftest.py)."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # as the store makes it
    shutil.copyfile(sqlite_template, data_dir / "scamnet.db")
    store = Store(f"sqlite:///{data_dir / 'scamnet.db'}")
    ingestor = Ingestor(data_dir)

    def run(kind: str, path: Path, mapping: Mapping | None = None) -> FileResult:
        with store.session() as session:
            # The CLI's sink: handovers go through the casework's one batch writer.
            return ingestor.ingest_file(kind, path, mapping or Mapping(), StoreLedger(session),
                                        record_sink(session))  # fmt: skip

    run.store = store  # type: ignore[attr-defined]
    yield run
    ingestor.close()
    store.dispose()

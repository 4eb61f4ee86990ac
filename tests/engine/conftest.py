"""Engine fixtures.

- ``spark_engine``: the suite's one local Spark (see ``tests/support/spark.py``).
- ``world``: a tiny simulated world ingested once per session (calls, messages,
  transfers, cells and victim reports, through the ingestion pipeline), which
  the equivalence tests run on DuckDB and on Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store
from scamnet.store.records import StoreLedger, StoreSink
from tests.support.spark import spark_engine

__all__ = ["spark_engine"]


@dataclass(frozen=True)
class World:
    path: Path
    data_dir: Path

    @property
    def lake(self) -> Path:
        return self.data_dir / "lake"

    def store(self) -> Store:
        return Store(f"sqlite:///{self.data_dir / 'scamnet.db'}")


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("engine-world")
    simulate(PRESETS["tiny"].with_overrides(seed=7), root / "world")
    data = root / "data"
    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    store.upgrade()
    ingestor = Ingestor(data)
    files = {
        "cells": [root / "world" / "cells.csv"],
        "calls": sorted((root / "world" / "calls").glob("*.csv")),
        "messages": [root / "world" / "messages.csv"],
        "transfers": [root / "world" / "transfers.csv"],
        "reports": [root / "world" / "reports.csv"],
    }
    for kind, paths in files.items():
        for path in paths:
            with store.session() as s:
                result = ingestor.ingest_file(kind, path, Mapping(), StoreLedger(s), StoreSink(s))
                assert result.error is None, result.error
    ingestor.close()
    store.dispose()
    return World(root / "world", data)

"""Fixtures: a tiny simulated world with its person records, warrants and manifests
in a store (``people_world``, and ``people`` for a private copy), and the suite's
one local Spark (``spark_engine``, see ``tests/support/spark.py``)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from scamnet.cli.context import record_sink
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store
from scamnet.store.records import StoreLedger
from tests.support.spark import spark_engine
from tests.support.users import register


@dataclass(frozen=True)
class World:
    path: Path
    data_dir: Path


@pytest.fixture(scope="session")
def people_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("people")
    simulate(PRESETS["tiny"].with_overrides(seed=21), root / "world")
    data = root / "data"
    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    store.upgrade()
    ingestor = Ingestor(data)
    for kind in ("persons", "wanted", "handovers"):
        with store.session() as s:
            ingestor.ingest_file(kind, root / "world" / f"{kind}.csv", Mapping(),
                                 StoreLedger(s), record_sink(s))  # fmt: skip
    ingestor.close()
    register(store)
    store.dispose()
    return World(root / "world", data)


@pytest.fixture
def people(people_world: World, tmp_path: Path) -> World:
    """A private copy, so a test may change the store."""
    data = tmp_path / "data"
    shutil.copytree(people_world.data_dir, data)
    return World(people_world.path, data)


__all__ = ["spark_engine"]

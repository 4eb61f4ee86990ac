"""Lake fixtures: a tiny simulated world, and per lake kind two overlapping source files.

``sources`` splits the world's records of each lake kind into two files that share
a third of their rows, so every ingest meets rows already stored as well as new
ones. ``template_db`` is a migrated SQLite store copied into each fresh data
directory, so tests that start many ingests do not run the migrations each time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store


@pytest.fixture(scope="session")
def lake_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lake-world")
    simulate(PRESETS["tiny"].with_overrides(days=3, messages=1500), out)
    return out


ROWS = 600  # several days and many overlaps; small enough to kill often


def _split(src: list[bytes], out: Path, name: str) -> list[Path]:
    head, body = src[0], src[1 : ROWS + 1]
    third = len(body) // 3
    a, b = body[: 2 * third], body[third:]
    paths = []
    for suffix, rows in (("a", a), ("b", b)):
        path = out / f"{name}-{suffix}.csv"
        path.write_bytes(b"\n".join([head, *rows]) + b"\n")
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def sources(lake_world: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """kind → two CSV files of that kind sharing a third of their rows."""
    out = tmp_path_factory.mktemp("lake-sources")
    calls = sorted((lake_world / "calls").glob("calls-*.csv"))
    files = {
        "calls": b"".join(
            p.read_bytes() if i == 0 else p.read_bytes().split(b"\n", 1)[1]
            for i, p in enumerate(calls[:2])
        ),
        "messages": (lake_world / "messages.csv").read_bytes(),
        "transfers": (lake_world / "transfers.csv").read_bytes(),
    }
    return {k: _split(data.rstrip(b"\n").split(b"\n"), out, k) for k, data in files.items()}


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "scamnet.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    return path


def fresh_data_dir(root: Path, template_db: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(template_db, root / "scamnet.db")
    return root

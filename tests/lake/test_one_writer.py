"""One writer at a time per data directory and kind.

Two ingests started together, in two processes, of files that share rows: the
lake (or the store) holds exactly one copy of each row, and the ledger and the
two runs' reports add up to what is stored. A second ingest waits for the
first; told not to wait, it is refused with a clear message naming the holder.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.lake.lock import WriterBusy, WriterLock
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.models import IngestedFileRow, VictimReportRow
from tests.lake.conftest import _split, fresh_data_dir
from tests.lake.support import context, ingest_all, lake_state, start_child
from tests.support.users import register

Counts = list[tuple[int, int, int, int, bool, str | None]]


def _together(data_dir: Path, kind: str, a: list[Path], b: list[Path]) -> tuple[Counts, Counts]:
    queue = context().Queue()
    procs = [start_child(data_dir, kind, files, queue) for files in (a, b)]
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
        assert p.exitcode == 0
    return results[0], results[1]


def _ledger(data_dir: Path, kind: str) -> tuple[int, int]:
    store = Store(f"sqlite:///{data_dir / 'scamnet.db'}")
    with store.session() as s:
        stored = s.scalar(select(func.sum(IngestedFileRow.rows_stored))
                          .where(IngestedFileRow.kind == kind))  # fmt: skip
        files = s.scalar(select(func.count()).select_from(IngestedFileRow)
                         .where(IngestedFileRow.kind == kind))  # fmt: skip
    store.dispose()
    return int(stored or 0), int(files or 0)


@pytest.mark.slow
def test_two_overlapping_lake_ingests_at_once_store_each_row_once(
    sources: dict[str, list[Path]], template_db: Path, tmp_path: Path
) -> None:
    a, b = sources["calls"]
    alone = fresh_data_dir(tmp_path / "alone", template_db)
    ingest_all(alone, "calls", [a, b])
    expected = lake_state(alone, "calls")[0]

    data_dir = fresh_data_dir(tmp_path / "together", template_db)
    first, second = _together(data_dir, "calls", [a], [b])
    assert lake_state(data_dir, "calls") == (expected, expected)  # no duplicates
    reported = sum(f[1] for f in first + second)
    assert reported == expected
    assert _ledger(data_dir, "calls") == (expected, 2)
    # Both saw every row of their file: stored, already stored (the overlap) or rejected.
    for read, stored, already, rejected, _, error in first + second:
        assert error is None and read == stored + already + rejected


@pytest.mark.slow
def test_two_overlapping_store_ingests_at_once_count_each_row_once(
    lake_world: Path, template_db: Path, tmp_path: Path
) -> None:
    lines = (lake_world / "reports.csv").read_bytes().rstrip(b"\n").split(b"\n")
    a, b = _split(lines, tmp_path, "reports")
    data_dir = fresh_data_dir(tmp_path / "data", template_db)
    first, second = _together(data_dir, "reports", [a], [b])
    store = Store(Settings.from_env(data_dir).database_url)
    with store.session() as s:
        in_table = s.scalar(select(func.count()).select_from(VictimReportRow))
    store.dispose()
    assert sum(f[1] for f in first + second) == in_table
    assert _ledger(data_dir, "reports") == (in_table, 2)
    assert sum(f[2] for f in first + second) > 0  # the overlap was seen as already stored


@pytest.mark.slow
def test_the_same_file_twice_at_once_is_taken_in_once(
    sources: dict[str, list[Path]], template_db: Path, tmp_path: Path
) -> None:
    a = sources["messages"][0]
    data_dir = fresh_data_dir(tmp_path / "data", template_db)
    first, second = _together(data_dir, "messages", [a], [a])
    outcomes = sorted([first[0], second[0]], key=lambda f: f[4])
    stored, skipped = outcomes
    assert stored[4] is False and stored[1] > 0 and stored[5] is None
    assert skipped[4] is True and skipped[1] == 0 and skipped[5] is None
    assert lake_state(data_dir, "messages")[0] == stored[1]
    assert _ledger(data_dir, "messages") == (stored[1], 1)


def _hold(path: str, held: object, release: object) -> None:
    with WriterLock(Path(path), "ingest of calls"):
        held.set()  # type: ignore[attr-defined]
        release.wait(600)  # type: ignore[attr-defined]


def test_a_second_ingest_told_not_to_wait_is_refused_with_the_holders_pid(
    sources: dict[str, list[Path]], template_db: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    data_dir = fresh_data_dir(tmp_path / "data", template_db)
    register(data_dir)
    lock = Settings.from_env(data_dir).locks_dir / "ingest-calls.lock"
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(lock), held, release))
    holder.start()
    try:
        assert held.wait(600)
        monkeypatch.setenv("SCAMNET_LOCK_WAIT_S", "0")
        result = CliRunner().invoke(app, ["ingest", "calls", str(sources["calls"][0]),
                                          "--data-dir", str(data_dir)])  # fmt: skip
        assert result.exit_code == 1
        assert f"another ingest of calls is running (pid {holder.pid})" in result.output
        assert "Traceback" not in result.output
        with pytest.raises(WriterBusy), WriterLock(lock, "ingest of calls", wait_s=0):
            pass
    finally:
        release.set()
        holder.join()
    assert lake_state(data_dir, "calls") == (0, 0)
    # Once the holder is gone the lock is free again (flock dies with its process).
    with WriterLock(lock, "ingest of calls", wait_s=0):
        pass

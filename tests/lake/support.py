"""Running ingests the way ``scamnet ingest`` does, in this process or in a child.

Children come from multiprocessing's fork server, which imports this module (and
so scamnet) once: starting one costs a fork, not a new interpreter, and the child
does not inherit the test process's threads (DuckDB's, Arrow's) as a plain fork
would. A child can be told to die at a named phase (``SCAMNET_CRASH_AT``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scamnet.cli.context import record_sink
from scamnet.engine.duckdb import DuckDBEngine
from scamnet.ingest.kinds import KINDS
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor, IngestSummary
from scamnet.ingest.ports import AuditTrail, IngestLedger, RecordSink
from scamnet.lake import RecordLake
from scamnet.lake.faults import ENV
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.records import StoreLedger
from scamnet.store.uow import SqlUnitOfWork


@contextmanager
def _opened(data_dir: Path) -> Iterator[tuple[Store, Ingestor]]:
    store = Store(f"sqlite:///{data_dir / 'scamnet.db'}")
    ingestor = Ingestor(data_dir)
    try:
        yield store, ingestor
    finally:
        ingestor.close()
        store.dispose()


def ingest_all(data_dir: Path, kind: str, files: list[Path]) -> IngestSummary:
    """What ``scamnet ingest`` does: one unit of work per file, under the kind's lock."""
    with _opened(data_dir) as (store, ingestor):

        @contextmanager
        def unit() -> Iterator[tuple[IngestLedger, RecordSink, AuditTrail]]:
            with store.session() as s:
                yield StoreLedger(s), record_sink(s), SqlUnitOfWork(s).audit

        return ingestor.ingest_files(kind, files, Mapping(), unit, "crash-test")


def child(data_dir: str, kind: str, files: list[str], crash_at: str | None) -> None:
    if crash_at:
        os.environ[ENV] = crash_at
    ingest_all(Path(data_dir), kind, [Path(f) for f in files])


def context() -> multiprocessing.context.ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.lake.support"])
    return ctx


def run_child(data_dir: Path, kind: str, files: list[Path], crash_at: str | None,
              kill_after: float | None = None) -> int:  # fmt: skip
    proc = context().Process(target=child, args=(str(data_dir), kind, [str(f) for f in files],
                                                  crash_at))  # fmt: skip
    proc.start()
    if kill_after is not None:
        proc.join(kill_after)
        if proc.is_alive():
            os.kill(proc.pid or 0, signal.SIGKILL)
    proc.join()
    return int(proc.exitcode or 0)


def lake_state(data_dir: Path, kind: str) -> tuple[int, int]:
    """(rows, distinct keys) of ``kind`` as every engine reads it: committed files only."""
    keys = ", ".join(f'"{k}"' for k in KINDS[kind].key)
    with DuckDBEngine() as engine:
        engine.attach_lake(RecordLake(Settings.from_env(data_dir).lake_dir))
        rows = engine.count(engine.table(kind))
        distinct = engine.count(engine.sql(f"SELECT DISTINCT {keys} FROM {kind}"))
    return rows, distinct


def start_child(data_dir: Path, kind: str, files: list[Path], queue: object | None = None
                ) -> multiprocessing.process.BaseProcess:  # fmt: skip
    """Start an ingest in a child without waiting; its summary's counts go to ``queue``."""
    args = (str(data_dir), kind, [str(f) for f in files], queue)
    proc = context().Process(target=child_reporting, args=args)
    proc.start()
    return proc


def child_reporting(data_dir: str, kind: str, files: list[str], queue: object | None) -> None:
    summary = ingest_all(Path(data_dir), kind, [Path(f) for f in files])
    if queue is not None:
        counts = [(f.read, f.stored, f.already, f.n_rejected, f.skipped_same_content, f.error)
                  for f in summary.files]  # fmt: skip
        queue.put(counts)  # type: ignore[attr-defined]

"""The ingest use case: take files of one kind in, each file in its own unit of work of
the store, and say what happened to each (``scamnet ingest`` and the API's ingest job).

The pipeline itself is `scamnet.ingest.pipeline.Ingestor`; this wires it to the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import DomainError
from scamnet.ingest.kinds import KINDS
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import FileResult, Ingestor, IngestSummary, UnitOfWork
from scamnet.ingest.ports import AuditTrail, IngestLedger, RecordSink
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.records import StoreLedger, StoreSink
from scamnet.store.uow import SqlUnitOfWork


class UnknownKind(DomainError):
    """Not a kind of file scamnet takes in."""


def record_sink(session: Session, user: str) -> StoreSink:
    """The store's sink for ingested rows, with handovers going through the casework
    (recorded as done by ``user``)."""
    from scamnet.cases.handovers import import_rows
    from scamnet.ingest.sources import SourceError

    def handovers(rows: list[dict[str, Any]]) -> int:
        try:
            return import_rows(SqlUnitOfWork(session), user, rows)
        except DomainError as exc:  # a conflicting batch fails the file, with the reason
            raise SourceError(f"handovers refused: {exc}") from None

    return StoreSink(session, handovers)


def store_units(store: Store, sink_user: str) -> UnitOfWork:
    """Each file's unit of work: the ledger, the sink and the audit log of one session."""

    @contextmanager
    def unit() -> Iterator[tuple[IngestLedger, RecordSink, AuditTrail]]:
        with store.session() as session:
            yield (
                StoreLedger(session),
                record_sink(session, sink_user),
                SqlUnitOfWork(session).audit,
            )

    return unit


def ingest(settings: Settings, store: Store, actor: Actor, kind: str, files: list[Path],
           mapping: Mapping, on_file: Callable[[FileResult], None] | None = None,
           sink_user: str | None = None) -> IngestSummary:  # fmt: skip
    """Take ``files`` of ``kind`` in: validate every row, store the good ones, keep the
    rejects with reasons; each file's outcome is audited as ``actor``.

    One ingest of a kind runs at a time per data directory; a second one waits for it
    (up to ``settings.lock_wait_s``) and is then refused.

    Raises:
        UnknownKind: ``kind`` is not one scamnet takes in.
        WriterBusy: another ingest of ``kind`` holds the lock past the wait.
    """
    if kind not in KINDS:
        raise UnknownKind(f"unknown kind {kind!r}: one of {', '.join(sorted(KINDS))}")
    ingestor = Ingestor(settings.data_dir, settings=settings)
    try:
        units = store_units(store, sink_user or f"ingest:{actor.user}")
        return ingestor.ingest_files(kind, files, mapping, units, actor.user, on_file)
    finally:
        ingestor.close()


def summary_json(summary: IngestSummary) -> dict[str, Any]:
    """The summary as JSON: each file's counts, the totals and the rejected rows by reason."""
    return {
        "kind": summary.kind,
        "files": [
            {"file": Path(f.path).name, "read": f.read, "stored": f.stored,
             "already_stored": f.already, "rejected": f.n_rejected,
             "same_content_already_ingested": f.skipped_same_content, "error": f.error}
            for f in summary.files
        ],
        "total": {"read": summary.total("read"), "stored": summary.total("stored"),
                  "already_stored": summary.total("already"),
                  "rejected": sum(summary.rejected.values())},
        "rejected_by_reason": dict(summary.rejected.most_common()),
    }  # fmt: skip

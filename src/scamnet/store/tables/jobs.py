"""Long-running data jobs submitted over the API (ingest, features, detect, ...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scamnet.store.tables.base import Base
from scamnet.store.types import UtcDateTime


class JobRow(Base):
    """One job: what was asked, by whom, its state and, once done, its result or error.

    ``params`` and ``result`` are JSON text: each kind has its own shape, and the
    result is what the CLI command's ``--json`` prints.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state_created", "state", "created_at"),
        Index("ix_jobs_agency_created", "agency", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))  # queued, running, succeeded, ...
    params: Mapped[str] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The running job's server says it is alive (`scamnet.jobs.worker.HEARTBEAT_S`).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    progress: Mapped[float | None] = mapped_column(Float)  # 0..1, when the kind knows
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(2000))

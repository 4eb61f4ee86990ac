"""Jobs: plain queries over the ``jobs`` table (the use cases are in ``scamnet.jobs``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scamnet.store.tables.jobs import JobRow

QUEUED, RUNNING, SUCCEEDED, FAILED, INTERRUPTED = (
    "queued", "running", "succeeded", "failed", "interrupted",
)  # fmt: skip
STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED, INTERRUPTED)
MAX_ERROR = 2000


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: str
    state: str
    params: dict[str, Any]
    user: str
    agency: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: float | None
    result: Any
    error: str | None


def _job(r: JobRow) -> Job:
    return Job(
        r.id, r.kind, r.state, json.loads(r.params), r.user, r.agency, r.created_at,
        r.started_at, r.finished_at, r.progress,
        None if r.result is None else json.loads(r.result), r.error,
    )  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job_id: str, kind: str, params: dict[str, Any], user: str, agency: str) -> Job:
        row = JobRow(id=job_id, kind=kind, state=QUEUED, params=json.dumps(params), user=user,
                     agency=agency, created_at=_now())  # fmt: skip
        self.session.add(row)
        self.session.flush()
        return _job(row)

    def get(self, job_id: str) -> Job | None:
        row = self.session.get(JobRow, job_id)
        return None if row is None else _job(row)

    def page(self, agencies: set[str] | None, kind: str | None, state: str | None, limit: int,
             offset: int) -> tuple[int, list[Job]]:  # fmt: skip
        """The newest jobs first; ``agencies`` None means every agency's."""
        query = select(JobRow)
        if agencies is not None:
            query = query.where(JobRow.agency.in_(sorted(agencies)))
        if kind is not None:
            query = query.where(JobRow.kind == kind)
        if state is not None:
            query = query.where(JobRow.state == state)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(JobRow.created_at.desc(), JobRow.id).limit(limit).offset(offset)
        )
        return total, [_job(r) for r in rows]

    def claim_next(self) -> Job | None:
        """Mark the oldest queued job running and return it; None when none is queued.

        The update is conditional on the state still being queued, so two servers on
        one database never both take the same job.
        """
        while True:
            job_id = self.session.scalar(
                select(JobRow.id).where(JobRow.state == QUEUED)
                .order_by(JobRow.created_at, JobRow.id).limit(1)
            )  # fmt: skip
            if job_id is None:
                return None
            taken = self.session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.state == QUEUED)
                .values(state=RUNNING, started_at=_now(), heartbeat_at=_now())
            )  # fmt: skip
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                self.session.flush()
                row = self.session.get(JobRow, job_id, populate_existing=True)
                assert row is not None
                return _job(row)

    def progress(self, job_id: str, fraction: float) -> None:
        self.session.execute(update(JobRow).where(JobRow.id == job_id).values(progress=fraction))

    def finish(self, job_id: str, result: Any) -> None:
        self.session.execute(
            update(JobRow).where(JobRow.id == job_id)
            .values(state=SUCCEEDED, finished_at=_now(), progress=1.0, result=json.dumps(result))
        )  # fmt: skip

    def fail(self, job_id: str, error: str) -> None:
        line = " ".join(error.split())[:MAX_ERROR] or "failed"
        self.session.execute(
            update(JobRow).where(JobRow.id == job_id)
            .values(state=FAILED, finished_at=_now(), error=line)
        )  # fmt: skip

    def finished_before(self, cutoff: datetime) -> list[Job]:
        """The jobs that ended (succeeded, failed, interrupted) before ``cutoff``."""
        rows = self.session.scalars(
            select(JobRow).where(JobRow.state.in_((SUCCEEDED, FAILED, INTERRUPTED)),
                                 JobRow.finished_at < cutoff).order_by(JobRow.finished_at)
        )  # fmt: skip
        return [_job(r) for r in rows]

    def set_result(self, job_id: str, result: Any) -> None:
        """Replace a finished job's result (a note added to it, such as expired files)."""
        self.session.execute(
            update(JobRow).where(JobRow.id == job_id).values(result=json.dumps(result))
        )

    def beat(self, job_id: str) -> None:
        """The running job's server is alive."""
        self.session.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.state == RUNNING)
            .values(heartbeat_at=_now())
        )  # fmt: skip

    def interrupt_running(self, silent_since: datetime | None = None) -> list[str]:
        """Mark interrupted the running jobs whose server stopped under them: those not
        heard of since ``silent_since`` (every running job when it is None).

        Several servers can share one database: a job another live server runs keeps
        beating and is left alone.
        """
        query = select(JobRow.id).where(JobRow.state == RUNNING)
        if silent_since is not None:
            query = query.where(func.coalesce(JobRow.heartbeat_at, JobRow.started_at)
                                < silent_since)  # fmt: skip
        ids = list(self.session.scalars(query))
        if ids:
            self.session.execute(
                update(JobRow).where(JobRow.id.in_(ids), JobRow.state == RUNNING)
                .values(state=INTERRUPTED, finished_at=_now(),
                        error="the server stopped while the job ran; submit it again")
            )  # fmt: skip
        return ids

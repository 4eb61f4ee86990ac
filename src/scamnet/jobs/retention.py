"""How long export files stay: the files of a finished job are deleted once
``Settings.job_files_days`` have passed since it ended.

An export holds personal data, so it does not lie in the scratch space forever. The job
worker sweeps when it starts and at each look at the queue; each deletion is audited,
and the job's result keeps a note (``files_expired_at``), so a download after it is told
the files are gone (410), not that they never were.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from scamnet.jobs.service import FILES_EXPIRED, output_dir
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.audit import AuditLog
from scamnet.store.jobs import SUCCEEDED, Job, JobRepository

RETENTION_ACTOR = "system:job-retention"
EXPIRED = FILES_EXPIRED


@dataclass(frozen=True, slots=True)
class Expired:
    job_id: str
    files: list[str]


def files_of(job: Job) -> list[str]:
    """The file names a job's result lists (none for a job that wrote no files)."""
    result = job.result
    files = result.get("files", []) if isinstance(result, dict) else []
    return [str(f) for f in files] if isinstance(files, list) else []


def expired_at(job: Job) -> str | None:
    """When the job's files were deleted (ISO 8601), or None while they stay."""
    result = job.result
    value = result.get(EXPIRED) if isinstance(result, dict) else None
    return str(value) if value else None


def sweep(settings: Settings, store: Store, now: datetime) -> list[Expired]:
    """Delete the files of the jobs that ended more than the retention before ``now``;
    what was deleted. ``now`` is the caller's clock (tests set it)."""
    cutoff = now - timedelta(days=settings.job_files_days)
    with store.session() as session:
        due = JobRepository(session).finished_before(cutoff)
    done: list[Expired] = []
    for job in due:
        directory = output_dir(settings, job.id)
        listed = files_of(job) if job.state == SUCCEEDED else []
        if expired_at(job) is not None or (not listed and not directory.exists()):
            continue
        shutil.rmtree(directory, ignore_errors=True)
        if not listed:  # a failed or interrupted export's leftovers: nothing was served
            continue
        note: dict[str, Any] = {**job.result, EXPIRED: now.isoformat()}
        with store.session() as session:
            JobRepository(session).set_result(job.id, note)
            AuditLog(session).append(
                RETENTION_ACTOR, "job.files_expired", f"job:{job.id}",
                {"kind": job.kind, "agency": job.agency, "user": job.user, "files": listed,
                 "retention_days": settings.job_files_days},
            )  # fmt: skip
        done.append(Expired(job.id, listed))
    return done

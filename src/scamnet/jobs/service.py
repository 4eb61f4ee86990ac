"""The jobs use cases: submit one (an audited write), read one, list them.

A user sees the jobs of the agencies in their scope (their own and its children); an
admin sees every agency's. A job out of sight is "not found", never "forbidden": its
existence is not revealed.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from scamnet.core.access import Actor, UserRole
from scamnet.core.errors import DomainError, NotAllowed, NotFound
from scamnet.jobs.kinds import KINDS, Kind
from scamnet.settings import Settings
from scamnet.store.audit import AuditLog, audit_read
from scamnet.store.jobs import STATES, Job, JobRepository

UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")


class BadJob(DomainError):
    """A job of an unknown kind, or with parameters its kind does not take."""


class FilesExpired(LookupError):
    """A job's files existed and were deleted at the end of their retention."""


FILES_EXPIRED = "files_expired_at"  # the note the retention adds to a job's result


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise BadJob(f"unknown kind of job {name!r}: one of {', '.join(KINDS)}") from None


def new_job_id() -> str:
    return secrets.token_hex(16)


def spool_dir(settings: Settings, job_id: str) -> Path:
    """Where a job's upload waits for it: under the data directory's scratch space."""
    if not re.fullmatch(r"[0-9a-f]{32}", job_id):
        raise BadJob("not a job id")
    return settings.tmp_dir / "jobs" / job_id


def safe_name(filename: str) -> str:
    """A client's file name reduced to a plain name: no directory, no leading dot, only
    letters, digits, '.', '_' and '-' (so no path can be named through it)."""
    base = PurePosixPath(PureWindowsPath(filename).name).name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")[-100:]
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise BadJob(f"{filename!r}: the file name must end in one of "
                     f"{', '.join(UPLOAD_SUFFIXES)} (it says the format)")  # fmt: skip
    return name


def spool_path(settings: Settings, job_id: str, filename: str) -> Path:
    """The file an upload is written to (its directory created, private)."""
    name = safe_name(filename)
    directory = spool_dir(settings, job_id)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory / name


def output_dir(settings: Settings, job_id: str) -> Path:
    """Where an export job writes its files; they stay for download."""
    spool_dir(settings, job_id)  # the id's check
    return settings.tmp_dir / "jobs-out" / job_id


def output_file(session: Session, settings: Settings, actor: Actor, job_id: str,
                name: str) -> Path:  # fmt: skip
    """A file an export job wrote, for ``actor`` to download: an audited read (the file
    holds what the export holds). Only a name the job's result lists is served.

    Raises:
        NotFound: no such job in the actor's scope, or no such file of it.
        FilesExpired: the file was deleted at the end of its retention.
    """
    job = read(session, actor, job_id)
    listed = (job.result or {}).get("files", []) if isinstance(job.result, dict) else []
    expired = job.result.get(FILES_EXPIRED) if isinstance(job.result, dict) else None
    if expired and name in listed:
        raise FilesExpired(
            f"the files of job {job.id} were deleted on {expired} at the end of their "
            f"retention ({settings.job_files_days:g} days, $SCAMNET_JOB_FILES_DAYS): "
            "run the export again"
        )
    path = output_dir(settings, job.id) / name
    if job.state != "succeeded" or name not in listed or not path.is_file():
        raise NotFound(f"job {job_id} has no file {name!r}")
    audit_read(session, actor.user, "job.download", f"job:{job.id}",
               {"file": name, "kind": job.kind, "why": actor.why})  # fmt: skip
    return path


def discard_spool(settings: Settings, job_id: str) -> None:
    shutil.rmtree(spool_dir(settings, job_id), ignore_errors=True)


def validated(kind: Kind, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters as the kind takes them (JSON-ready), or BadJob saying what is wrong."""
    try:
        model = kind.params.model_validate(params)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "parameters"
        raise BadJob(f"{kind.name}: {where}: {first['msg']}") from None
    return model.model_dump(mode="json", by_alias=True)


def submit(session: Session, actor: Actor, kind_name: str, params: dict[str, Any],
           job_id: str | None = None) -> Job:  # fmt: skip
    """Queue a job for ``actor``'s agency; the submission is audited as a write.

    An upload, if the kind takes one, is already in ``spool_dir(settings, job_id)``.

    Raises:
        BadJob: an unknown kind or bad parameters.
        NotAllowed: the actor lacks the kind's permission.
    """
    kind = kind_of(kind_name)
    if not actor.may(kind.permission):
        raise NotAllowed(f"a {kind.name} job needs {kind.permission.value}")
    clean = validated(kind, params)
    job = JobRepository(session).add(job_id or new_job_id(), kind.name, clean, actor.user,
                                     actor.agency)  # fmt: skip
    AuditLog(session).append(
        actor.user,
        "job.submit",
        f"job:{job.id}",
        {"kind": kind.name, "params": clean, "agency": actor.agency},
    )
    return job


def _sees_all(actor: Actor) -> bool:
    return UserRole.ADMIN in actor.roles


def read(session: Session, actor: Actor, job_id: str) -> Job:
    """One job, if the actor's scope holds its agency."""
    job = JobRepository(session).get(job_id) if len(job_id) <= 64 else None
    if job is None or not (_sees_all(actor) or actor.sees_agency(job.agency)):
        raise NotFound(f"no job {job_id}")
    return job


def listing(session: Session, actor: Actor, kind: str | None = None, state: str | None = None,
            limit: int = 50, offset: int = 0) -> tuple[int, list[Job]]:  # fmt: skip
    """The jobs in the actor's scope, newest first: (total, one page)."""
    if kind is not None:
        kind_of(kind)
    if state is not None and state not in STATES:
        raise BadJob(f"unknown state {state!r}: one of {', '.join(STATES)}")
    agencies = None if _sees_all(actor) else {actor.agency, *actor.scope}
    return JobRepository(session).page(agencies, kind, state, limit, offset)

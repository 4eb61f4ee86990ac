"""The worker: one thread inside ``scamnet serve`` that runs the queued jobs one at a
time (ingests and repairs take the lake's writer locks; one job at a time never makes
two of them wait on each other).

A running job's server beats every ``HEARTBEAT_S``. A job still marked running that
has not beaten for ``SILENT_S`` belonged to a server that stopped in the middle
(killed, crashed, powered off): every worker, when it starts and each time it looks
at the queue, marks such a job interrupted, so none is left running forever, and a
job that another live server on the same database runs is left alone.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from scamnet.core.errors import DomainError, NotAllowed
from scamnet.jobs.kinds import KINDS, JobContext
from scamnet.jobs.service import discard_spool, output_dir, spool_dir
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.jobs import Job, JobRepository

log = logging.getLogger(__name__)

# A server on a shared database also picks up jobs queued by another one; this is how
# often it looks when nobody in its own process woke it.
POLL_S = 5.0
HEARTBEAT_S = 10.0
SILENT_S = 60.0  # six missed beats: that server is gone


def _one_line(exc: BaseException) -> str:
    """What went wrong, in one line: the message of an error the user can act on; the
    type only for anything else (a message could carry row values)."""
    from scamnet.detect.artifacts import UntrustedModel
    from scamnet.detect.data import InputError
    from scamnet.engine.base import EngineUnavailable
    from scamnet.ingest.sources import SourceError
    from scamnet.lake.lock import WriterBusy

    # The CLI's user errors (`scamnet.cli.errors.USER_ERRORS`) and the refusals that
    # the CLI commands catch one by one.
    user_errors = (
        DomainError,
        LookupError,
        PermissionError,
        OSError,
        UnicodeError,
        InputError,
        SourceError,
        UntrustedModel,
        WriterBusy,
        EngineUnavailable,
    )
    if isinstance(exc, user_errors):
        text = " ".join(str(exc).split())
        return text or type(exc).__name__
    return f"internal error ({type(exc).__name__}); the server's log has the details"


def run_job(settings: Settings, store: Store, job: Job) -> None:
    """Run one claimed job to its end and record the outcome (succeeded or failed)."""
    from scamnet.security.users import cli_actor

    kind = KINDS[job.kind]

    def progress(fraction: float) -> None:
        with store.session() as session:
            JobRepository(session).progress(job.id, max(0.0, min(1.0, fraction)))

    beating = threading.Event()

    def beat() -> None:
        while not beating.wait(HEARTBEAT_S):
            try:
                with store.session() as session:
                    JobRepository(session).beat(job.id)
            except Exception:  # a missed beat is retried; six in a row and it is over
                log.warning("job %s: no heartbeat written", job.id, exc_info=True)

    threading.Thread(target=beat, name=f"scamnet-job-{job.id[:8]}", daemon=True).start()
    try:
        with store.session() as session:  # the submitter as they are now: still active?
            actor = cli_actor(session, job.user, job.agency)
        if not actor.may(kind.permission):
            raise NotAllowed(f"{job.user} no longer holds {kind.permission.value}")
        upload = None
        if kind.upload:
            files = sorted(spool_dir(settings, job.id).glob("*"))
            if not files:
                raise FileNotFoundError("the upload is gone (the scratch space was cleaned)")
            upload = files[0]
        params = kind.params.model_validate(job.params)
        output = output_dir(settings, job.id)
        if kind.files:
            output.mkdir(parents=True, exist_ok=True, mode=0o700)
        context = JobContext(settings, store, actor, upload, progress, output)
        result: Any = kind.run(context, params)
    except Exception as exc:  # every failure is the job's outcome, never the worker's end
        line = _one_line(exc)
        internal = line.startswith("internal error")  # the traceback only for a fault
        log.warning("job %s (%s) failed: %s", job.id, job.kind, line, exc_info=internal)
        shutil.rmtree(output_dir(settings, job.id), ignore_errors=True)
        with store.session() as session:
            JobRepository(session).fail(job.id, line)
    else:
        with store.session() as session:
            JobRepository(session).finish(job.id, result)
    finally:
        beating.set()
        discard_spool(settings, job.id)


def recover(store: Store) -> list[str]:
    """Mark the jobs a stopped server left running (silent for ``SILENT_S``) interrupted."""
    silent_since = datetime.now(UTC) - timedelta(seconds=SILENT_S)
    with store.session() as session:
        return JobRepository(session).interrupt_running(silent_since)


def run_pending(settings: Settings, store: Store) -> int:
    """Run queued jobs until none is left; how many ran."""
    ran = 0
    while True:
        with store.session() as session:
            job = JobRepository(session).claim_next()
        if job is None:
            return ran
        run_job(settings, store, job)
        ran += 1


def _utc_now() -> datetime:
    return datetime.now(UTC)


class JobWorker:
    """The background thread; ``notify`` after a submission wakes it at once.

    It also deletes the files of jobs past their retention (`scamnet.jobs.retention`),
    when it starts and at each look at the queue; ``clock`` is its time (tests set it).
    """

    def __init__(
        self, settings: Settings, store: Store, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> list[str]:
        """Recover interrupted jobs, then start the thread; the ids marked interrupted."""
        try:
            interrupted = recover(self.store)
        except Exception:  # the store unreachable now: serve anyway, the loop retries reads
            log.warning("could not mark interrupted jobs", exc_info=True)
            interrupted = []
        self.expire_files()
        self._thread = threading.Thread(target=self._loop, name="scamnet-jobs", daemon=True)
        self._thread.start()
        return interrupted

    def expire_files(self) -> list[str]:
        """Delete the files past their retention now; the jobs whose files went."""
        from scamnet.jobs.retention import sweep

        try:
            return [e.job_id for e in sweep(self.settings, self.store, self.clock())]
        except Exception:  # the store unreachable now: the next look tries again
            log.warning("could not delete the expired job files", exc_info=True)
            return []

    def notify(self) -> None:
        self._idle.clear()
        self._wake.set()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has run (True), or ``timeout`` passed (False)."""
        self.notify()
        return self._idle.wait(timeout)

    def stop(self, wait: float | None = None) -> None:
        """Stop after the job under way (a daemon thread: a stopping server does not wait
        for a long job; once its beats stop, a worker marks it interrupted). With
        ``wait``, wait up to that many seconds for the thread to end."""
        self._stop.set()
        self._wake.set()
        if wait is not None and self._thread is not None:
            self._thread.join(wait)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                recover(self.store)  # a job whose server died since the last look
                run_pending(self.settings, self.store)
                self.expire_files()
            except Exception:  # the store unreachable for a moment: try again later
                log.warning("the job worker could not read the queue", exc_info=True)
            if not self._wake.is_set():
                self._idle.set()
            self._wake.wait(POLL_S)

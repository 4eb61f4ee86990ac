"""Export files expire: the worker deletes the files of jobs that ended more than
``job_files_days`` ago (the clock is the test's), notes it on the job, audits it, and a
download then says the files are gone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from scamnet.core.access import Actor, UserRole
from scamnet.core.errors import NotFound
from scamnet.jobs import service
from scamnet.jobs.retention import RETENTION_ACTOR, sweep
from scamnet.jobs.worker import JobWorker
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.audit import AuditLog
from scamnet.store.jobs import JobRepository
from scamnet.store.tables.jobs import JobRow

SUPERVISOR = Actor("sun", "CN-YN-DH", frozenset({UserRole.SUPERVISOR}), why="OP-2023-11")
ENDED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _settings(tmp_path: Path, store: Store, days: float = 7.0) -> Settings:
    return replace(Settings.from_env(tmp_path), database_url=store.url, job_files_days=days)


def _export(store: Store, settings: Settings, state: str = "succeeded") -> str:
    """An export job that ended at ``ENDED`` with one file in its output directory."""
    with store.session() as s:
        job = service.submit(s, SUPERVISOR, "export", {"format": "stix"})
        repo = JobRepository(s)
        repo.claim_next()
        if state == "succeeded":
            repo.finish(job.id, {"files": ["export.json"], "objects": 3})
        else:
            repo.fail(job.id, "the disk filled up")
        s.execute(update(JobRow).where(JobRow.id == job.id).values(finished_at=ENDED))
    out = service.output_dir(settings, job.id)
    out.mkdir(parents=True)
    (out / "export.json").write_text('{"person": "明学昌"}', encoding="utf-8")
    return job.id


def test_files_stay_for_the_retention_then_go_with_a_note(store: Store, tmp_path: Path) -> None:
    settings = _settings(tmp_path, store)
    job_id = _export(store, settings)
    assert sweep(settings, store, ENDED + timedelta(days=6, hours=23)) == []
    with store.session() as s:
        assert service.output_file(s, settings, SUPERVISOR, job_id, "export.json").is_file()

    now = ENDED + timedelta(days=7, minutes=1)
    (gone,) = sweep(settings, store, now)
    assert gone.job_id == job_id and gone.files == ["export.json"]
    assert not service.output_dir(settings, job_id).exists()
    with store.session() as s:
        job = service.read(s, SUPERVISOR, job_id)
        assert job.result == {"files": ["export.json"], "objects": 3,
                              "files_expired_at": now.isoformat()}  # fmt: skip
        entry = AuditLog(s).entries(subject=f"job:{job_id}")[-1]
        assert entry.actor == RETENTION_ACTOR and entry.action == "job.files_expired"
        assert entry.detail["files"] == ["export.json"] and entry.detail["user"] == "sun"
        with pytest.raises(service.FilesExpired, match=r"deleted .* retention \(7 days"):
            service.output_file(s, settings, SUPERVISOR, job_id, "export.json")
        with pytest.raises(NotFound):  # a name the job never wrote is still just not found
            service.output_file(s, settings, SUPERVISOR, job_id, "other.json")
    assert sweep(settings, store, now + timedelta(days=30)) == []  # once only
    with store.session() as s:
        actions = [e.action for e in AuditLog(s).entries(subject=f"job:{job_id}")]
        assert actions == ["job.submit", "job.download", "job.files_expired"]


def test_a_failed_exports_leftovers_go_without_a_note(store: Store, tmp_path: Path) -> None:
    settings = _settings(tmp_path, store, days=1)
    job_id = _export(store, settings, state="failed")
    assert sweep(settings, store, ENDED + timedelta(days=2)) == []
    assert not service.output_dir(settings, job_id).exists()
    with store.session() as s:
        assert JobRepository(s).get(job_id).result is None  # type: ignore[union-attr]


def test_the_worker_sweeps_when_it_starts_by_its_clock(store: Store, tmp_path: Path) -> None:
    settings = _settings(tmp_path, store, days=0.5)
    job_id = _export(store, settings)
    early = JobWorker(settings, store, clock=lambda: ENDED + timedelta(hours=11))
    assert early.expire_files() == []
    worker = JobWorker(settings, store, clock=lambda: ENDED + timedelta(hours=13))
    worker.start()
    try:
        assert not service.output_dir(settings, job_id).exists()
        with store.session() as s:
            assert "files_expired_at" in JobRepository(s).get(job_id).result  # type: ignore[union-attr,operator]
    finally:
        worker.stop(wait=60)  # its thread's connection returned before the store closes


def test_the_retention_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCAMNET_JOB_FILES_DAYS", raising=False)
    assert Settings.from_env(tmp_path).job_files_days == 7.0
    monkeypatch.setenv("SCAMNET_JOB_FILES_DAYS", "2.5")
    assert Settings.from_env(tmp_path).job_files_days == 2.5
    monkeypatch.setenv("SCAMNET_JOB_FILES_DAYS", "a week")
    with pytest.raises(ValueError, match="number of days"):
        Settings.from_env(tmp_path)

"""The jobs table on SQLite and PostgreSQL: queue order, one claim per job, outcomes,
the interrupted-on-restart rule, and listings scoped by agency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scamnet.store import Store
from scamnet.store.jobs import JobRepository


def test_a_job_goes_from_queued_to_its_outcome(store: Store) -> None:
    with store.session() as s:
        jobs = JobRepository(s)
        jobs.add("a" * 32, "lake-check", {"repair": False}, "ana", "CN-YN-DH")
        jobs.add("b" * 32, "network", {}, "ana", "CN-YN-DH")
    with store.session() as s:
        first = JobRepository(s).claim_next()
    assert first is not None and first.id == "a" * 32 and first.state == "running"
    assert first.started_at is not None and first.params == {"repair": False}
    with store.session() as s:
        second = JobRepository(s).claim_next()
        assert second is not None and second.id == "b" * 32
        assert JobRepository(s).claim_next() is None  # each job is claimed once
    with store.session() as s:
        JobRepository(s).finish("a" * 32, {"kinds": [1, 2]})
        JobRepository(s).fail("b" * 32, "no seeds:\n  run detect\tfirst")
    with store.session() as s:
        done, failed = JobRepository(s).get("a" * 32), JobRepository(s).get("b" * 32)
    assert done is not None and done.state == "succeeded" and done.result == {"kinds": [1, 2]}
    assert done.progress == 1.0 and done.finished_at is not None
    assert failed is not None and failed.state == "failed"
    assert failed.error == "no seeds: run detect first"  # one line


def test_running_jobs_are_interrupted_and_queued_ones_wait(store: Store) -> None:
    with store.session() as s:
        jobs = JobRepository(s)
        jobs.add("c" * 32, "ingest", {}, "ana", "CN-YN-DH")
        jobs.add("d" * 32, "ingest", {}, "ana", "CN-YN-DH")
    with store.session() as s:
        JobRepository(s).claim_next()
    with store.session() as s:  # another live server's job: it beat a moment ago
        assert JobRepository(s).interrupt_running(datetime.now(UTC) - timedelta(minutes=1)) == []
    with store.session() as s:  # that server has been silent for a minute: it is gone
        assert JobRepository(s).interrupt_running(datetime.now(UTC) + timedelta(minutes=1)) == [
            "c" * 32
        ]
    with store.session() as s:
        c, d = JobRepository(s).get("c" * 32), JobRepository(s).get("d" * 32)
    assert c is not None and c.state == "interrupted" and c.finished_at is not None
    assert c.error is not None and "stopped" in c.error
    assert d is not None and d.state == "queued"


def test_pages_are_scoped_by_agency_and_filtered(store: Store) -> None:
    with store.session() as s:
        jobs = JobRepository(s)
        for i, agency in enumerate(["CN-YN-DH", "CN-YN-DH", "CN-YN-LC"]):
            jobs.add(f"{i:032x}", "network" if i else "resolve", {}, "u", agency)
    with store.session() as s:
        jobs = JobRepository(s)
        total, page = jobs.page({"CN-YN-DH"}, None, None, 1, 0)
        assert total == 2 and len(page) == 1
        assert jobs.page({"CN-YN-LC"}, None, None, 10, 0)[0] == 1
        assert jobs.page(None, None, None, 10, 0)[0] == 3
        assert [j.kind for j in jobs.page(None, "resolve", "queued", 10, 0)[1]] == ["resolve"]
        assert jobs.page(None, None, "running", 10, 0)[0] == 0

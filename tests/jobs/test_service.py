"""The jobs use cases without HTTP: names that cannot reach a path, parameters checked
by their kind, the submission audited, refusals and scoping; and the worker's rule for
an error's one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scamnet.core.access import Actor, UserRole
from scamnet.core.errors import NotAllowed, NotFound
from scamnet.jobs import service
from scamnet.jobs.worker import _one_line
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.audit import AuditLog

DH = Actor("ana", "CN-YN-DH", frozenset({UserRole.ANALYST}))
LIAISON = Actor("liu", "CN-YN-DH", frozenset({UserRole.LIAISON}))
LC = Actor("lin", "CN-YN-LC", frozenset({UserRole.SUPERVISOR}))
ADMIN = Actor("root", "CN-MPS", frozenset({UserRole.ADMIN}))


@pytest.mark.parametrize(("given", "kept"), [
    ("calls.csv", "calls.csv"),
    ("../../etc/passwd.csv", "passwd.csv"),
    ("C:\\\\Users\\\\x\\\\calls 1.csv", "calls_1.csv"),
    ("/abs/path/.hidden.parquet", "hidden.parquet"),
    ("呼叫.jsonl", "__.jsonl"),
])  # fmt: skip
def test_only_a_plain_name_is_kept(given: str, kept: str, tmp_path: Path) -> None:
    assert service.safe_name(given) == kept
    path = service.spool_path(Settings.from_env(tmp_path), "a" * 32, given)
    assert path.parent == tmp_path / "tmp" / "jobs" / ("a" * 32) and path.name == kept


@pytest.mark.parametrize("bad", ["..", "calls", "x.exe", ".csv", "/etc/"])
def test_a_name_without_a_known_format_is_refused(bad: str) -> None:
    with pytest.raises(service.BadJob, match="must end in"):
        service.safe_name(bad)


def test_a_job_id_is_never_a_path(tmp_path: Path) -> None:
    with pytest.raises(service.BadJob):
        service.spool_dir(Settings.from_env(tmp_path), "../../x")


def test_parameters_are_checked_by_their_kind() -> None:
    kind = service.kind_of("detect")
    with pytest.raises(service.BadJob, match="before"):
        service.validated(kind, {"kind": "url", "from": "2023-10-02", "to": "2023-10-01"})
    with pytest.raises(service.BadJob, match="model: Extra inputs"):
        service.validated(kind, {"kind": "url", "from": "2023-10-01", "to": "2023-10-01",
                                 "model": "/etc"})  # fmt: skip
    with pytest.raises(service.BadJob, match="label_column, from_verdicts"):
        service.validated(service.kind_of("model-train"), {"kind": "url"})
    with pytest.raises(service.BadJob, match="unknown kind of job"):
        service.kind_of("shell")


def test_a_submission_is_audited_and_scoped(store: Store) -> None:
    with store.session() as s:
        job = service.submit(s, DH, "lake-check", {})
    with store.session() as s:
        entry = AuditLog(s).entries(subject=f"job:{job.id}")[-1]
        assert entry.actor == "ana" and entry.action == "job.submit"
        assert job.params == {"repair": False}
        with pytest.raises(NotAllowed, match=r"data\.process"):
            service.submit(s, LIAISON, "detect", {"kind": "url", "from": "2023-10-01",
                                                  "to": "2023-10-01"})  # fmt: skip
        assert service.read(s, LIAISON, job.id).id == job.id  # the same agency
        assert service.read(s, ADMIN, job.id).id == job.id
        with pytest.raises(NotFound):
            service.read(s, LC, job.id)
        assert service.listing(s, LC) == (0, [])
        assert service.listing(s, ADMIN, kind="lake-check", state="queued")[0] == 1
        with pytest.raises(service.BadJob):
            service.listing(s, ADMIN, state="lost")


def test_an_error_is_one_line_and_a_fault_says_only_its_type() -> None:
    assert _one_line(OSError("cannot read\n  calls.csv")) == "cannot read calls.csv"
    fault = _one_line(KeyError("+8613800138000"))  # a LookupError: the user's to fix
    assert "\n" not in fault
    internal = _one_line(ZeroDivisionError("row +8613800138000"))
    assert "+8613800138000" not in internal and "ZeroDivisionError" in internal

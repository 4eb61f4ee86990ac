"""The audit chain can be proven, on SQLite and on PostgreSQL: with the append-only
trigger dropped, an edit, a deletion, a reordering, a truncated tail and an edit
re-hashed to the end are each named at their first broken link; concurrent writers
and readers never fork it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scamnet.exchange.anchor import BadCheckpoint, verify_audit, write_checkpoint
from scamnet.exchange.keys import Instance, init_instance
from scamnet.store import Store
from scamnet.store.audit import AuditLog, entry_hash
from scamnet.store.models import AuditRow


def _unguard(s: Session) -> None:
    """What an intruder with database access does first: drop the append-only triggers."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
    else:
        s.execute(text("DROP TRIGGER audit_log_no_update"))
        s.execute(text("DROP TRIGGER audit_log_no_delete"))


def _fill(store: Store, n: int = 6) -> list[int]:
    with store.session() as s:
        log = AuditLog(s)
        return [log.append("li.wei", "person.read", f"person:{i}", {"i": i}).id for i in range(n)]


@pytest.fixture
def me(tmp_path: Path) -> Instance:
    return init_instance(tmp_path, "CN-YN-DH")


def _check(store: Store, me: Instance, path: Path) -> tuple[int | None, str | None]:
    with store.session() as s:
        report, _n = verify_audit(s, me, path)
    return report.broken_at, report.reason


def _edit(s: Session, ids: list[int]) -> None:
    s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": ids[2]})


def _delete(s: Session, ids: list[int]) -> None:
    s.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[2]})


def _reorder(s: Session, ids: list[int]) -> None:
    """Swap the contents of entries 3 and 4, keeping their ids."""
    a, b = (s.get(AuditRow, i) for i in (ids[2], ids[3]))
    assert a is not None and b is not None
    fields = ("at", "actor", "action", "subject", "detail", "prev_hash", "hash")
    values = {f: (getattr(a, f), getattr(b, f)) for f in fields}
    a.hash, b.hash = "x" * 64, "y" * 64  # the unique hash column: move both aside first
    s.flush()
    for f, (va, vb) in values.items():
        setattr(a, f, vb)
        setattr(b, f, va)
    s.flush()


TAMPERING: dict[str, tuple[Callable[[Session, list[int]], None], int, str]] = {
    "edit": (_edit, 2, "was altered"),
    "deletion": (_delete, 3, "was\\s+deleted, or entries were reordered"),
    "reordering": (_reorder, 2, "deleted, or entries were reordered"),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_audit_verify_names_the_first_broken_link(
    store: Store, me: Instance, tmp_path: Path, how: str
) -> None:
    ids = _fill(store)
    tamper, broken, reason = TAMPERING[how]
    with store.session() as s:
        _unguard(s)
        tamper(s, ids)
    at, why = _check(store, me, tmp_path / "none.jsonl")
    assert at == ids[broken]
    assert why is not None and re.search(reason, why), why


def test_a_truncated_tail_is_caught_by_the_signed_checkpoint(
    store: Store, me: Instance, tmp_path: Path
) -> None:
    ids = _fill(store)
    path = tmp_path / "checkpoints.jsonl"
    with store.session() as s:
        write_checkpoint(s, me, path)
    assert _check(store, me, path) == (None, None)
    with store.session() as s:
        _unguard(s)
        s.execute(text("DELETE FROM audit_log WHERE id >= :id"), {"id": ids[4]})
    with store.session() as s:
        assert AuditLog(s).verify() is None  # the chain alone still looks whole
    at, why = _check(store, me, path)
    assert at == ids[-1]
    assert why is not None and "the tail was removed" in why and f"entry {ids[3]}" in why


def test_an_edit_rehashed_to_the_end_is_caught_by_the_signed_checkpoint(
    store: Store, me: Instance, tmp_path: Path
) -> None:
    ids = _fill(store)
    path = tmp_path / "checkpoints.jsonl"
    with store.session() as s:
        write_checkpoint(s, me, path)
    _fill(store, 2)  # more entries after the checkpoint: still consistent with it
    assert _check(store, me, path) == (None, None)
    with store.session() as s:
        _unguard(s)
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": ids[1]})
        _rehash(s)
    with store.session() as s:
        assert AuditLog(s).verify() is None  # self-consistent after re-hashing
    at, why = _check(store, me, path)
    assert at == ids[-1]
    assert why is not None and "re-hashed" in why and "from the start" in why


def _rehash(s: Session) -> None:
    """Recompute every prev_hash and hash in order, as a careful intruder would."""
    prev = "0" * 64
    for row in list(s.scalars(select(AuditRow).order_by(AuditRow.id))):
        digest = entry_hash(prev, row.at, row.actor, row.action, row.subject, row.detail)
        s.execute(
            text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": digest, "id": row.id},
        )
        prev = digest


def test_a_forged_checkpoint_is_refused(store: Store, me: Instance, tmp_path: Path) -> None:
    _fill(store, 2)
    path = tmp_path / "checkpoints.jsonl"
    with store.session() as s:
        write_checkpoint(s, me, path)
    path.write_text(path.read_text().replace('"count": 2', '"count": 1'), encoding="utf-8")
    with store.session() as s, pytest.raises(BadCheckpoint, match="not a checkpoint signed"):
        verify_audit(s, me, path)


def test_twenty_concurrent_writers_and_readers_never_fork_the_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(5):
                with store.session() as s:
                    # A read first, as `case show` does, then the audit entry for it.
                    AuditLog(s).entries(limit=5)
                    AuditLog(s).append(f"user{n}", "case.read", f"case:{n}-{i}")
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(5):
                with store.session() as s:
                    AuditLog(s).entries()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    threads += [threading.Thread(target=reader) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.session() as s:
        assert AuditLog(s).verify() is None
        assert len(AuditLog(s).entries()) == 50


def test_audit_verify_and_checkpoint_commands(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scamnet.cli.main import app
    from scamnet.settings import Settings

    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
        return result.exit_code, result.output

    assert run("db", "upgrade")[0] == 0
    assert run("exchange", "init", "--agency", "CN-YN-DH")[0] == 0
    store = Store(Settings.from_env(tmp_path).database_url)
    ids = _fill(store, 4)
    code, out = run("audit", "checkpoint")
    assert code == 0 and "4 entries" in out
    code, out = run("audit", "verify")
    assert code == 0 and "consistent with 1 signed checkpoints" in out
    with store.session() as s:
        _unguard(s)
        s.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[-1]})
    store.dispose()
    code, out = run("audit", "verify")
    assert code == 1
    assert f"audit chain broken at entry {ids[-1]}" in out and "the tail was removed" in out

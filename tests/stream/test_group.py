"""Group commit: batches pushed while the intake is busy are taken in together, in one
lake commit, and each sender still gets its own batch's answer; a group that fails
fails each of its batches cleanly and leaves the lake and the ledger as they were."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from scamnet.core.access import Actor, UserRole
from scamnet.lake import RecordKind, RecordLake
from scamnet.lake.writer import LakeWriter
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.stream.arrival import ArrivalProcessor
from scamnet.stream.intake import BatchReceipt, BatchRefused, IntakeFailed, PushIntake
from scamnet.stream.service import add_watch_list

SCAMMER = "+959441394426"
TESTER = Actor("tester", "CN-YN-DH", frozenset(UserRole))
OTHER = Actor("lc.officer", "CN-YN-LC", frozenset(UserRole))


def call(caller: str, callee: str, minute: int, duration: int = 65) -> dict[str, object]:
    return {"caller": caller, "callee": callee, "start": f"2023-10-02T13:{minute:02d}:00Z",
            "duration_s": duration}  # fmt: skip


def ndjson(rows: list[object]) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n"
                    for r in rows)  # fmt: skip


@pytest.fixture
def intake(fresh: Path, tmp_path: Path) -> Iterator[PushIntake]:
    settings = Settings.from_env(fresh)
    store = Store(settings.database_url)
    listed = tmp_path / "partner.csv"
    listed.write_text(f"kind,identifier,fraud_type\ntel,{SCAMMER},impersonate_authority\n")
    add_watch_list(store, TESTER, listed, "partner-mm")
    taker = PushIntake(settings, store, ArrivalProcessor(store, settings, "CN-YN-DH"))
    yield taker
    taker.close()
    store.dispose()


def grouped(intake: PushIntake, batches: list[tuple[Actor, bytes]],
            kinds: list[str] | None = None) -> list[Any]:  # fmt: skip
    """Push ``batches`` (of ``kinds``, calls by default) from threads while the intake is
    held busy, so that they all wait first; each thread's receipt or exception, in order."""
    out: list[Any] = [None] * len(batches)
    kinds = kinds or ["calls"] * len(batches)

    def push(i: int, actor: Actor, body: bytes) -> None:
        try:
            out[i] = intake.push(actor, kinds[i], body, limit=False)
        except Exception as exc:  # the test looks at it
            out[i] = exc

    with intake._lock:  # busy: as if a group were being committed
        threads = [threading.Thread(target=push, args=(i, a, b))
                   for i, (a, b) in enumerate(batches)]  # fmt: skip
        for t in threads:
            t.start()
        # Wait until every batch is waiting (no deadline: the join below guards).
        while True:
            with intake._count:
                if len(intake._waiting) == len(batches):
                    break
            threading.Event().wait(0.01)
    for t in threads:
        t.join(120)
    return out


def lake_rows(settings: Settings) -> list[tuple[str, str, object]]:
    files = RecordLake(settings.lake_dir).files(RecordKind.CALLS)
    if not files:
        return []
    paths = ", ".join(f"'{f}'" for f in files)
    return duckdb.execute(f"SELECT caller, callee, start FROM read_parquet([{paths}]) "
                          "ORDER BY ALL").fetchall()  # fmt: skip


def test_batches_grouped_in_one_commit_each_get_their_own_answer(intake: PushIntake) -> None:
    settings = intake.settings
    shared = call("+8613800138000", "+8613900139000", 1)
    first = ndjson([shared, call("+8613800138000", "+8613900139001", 2),
                    call(SCAMMER, "+8617769042329", 3)])  # fmt: skip
    # Line 2 is the first batch's record (already stored by the group), line 3 is not
    # a number, line 4 repeats line 1 of its own batch, line 5 is not JSON.
    second = ndjson([call("+8613800138002", "+8613900139002", 4), shared,
                     call("not a number", "+8613900139003", 5),
                     call("+8613800138002", "+8613900139002", 4), b"{not json",
                     call(SCAMMER, "+8617769042330", 6)])  # fmt: skip
    no_callee = ndjson([{"caller": "+8613800138003", "start": "2023-10-02T13:07:00Z",
                         "duration_s": 5}])  # fmt: skip
    version = RecordLake(settings.lake_dir).snapshot(RecordKind.CALLS).version
    got = grouped(intake, [(TESTER, first), (OTHER, second), (TESTER, no_callee),
                           (TESTER, first)])  # fmt: skip
    assert intake.groups == 1
    one, two, refused, again = got
    assert isinstance(one, BatchReceipt) and isinstance(two, BatchReceipt), got
    assert (one.read, one.stored, one.already, one.rejected) == (3, 3, 0, [])
    assert (two.read, two.stored, two.already) == (6, 2, 1)
    assert [line for line, _ in two.rejected] == [3, 4, 5]
    reasons = dict(two.rejected)
    assert "caller" in reasons[3] and "duplicate" in reasons[4] and "JSON" in reasons[5]
    # Each batch's people to warn are its own, in its provider's agency.
    assert (one.queued, two.queued) == (1, 1)
    assert isinstance(refused, BatchRefused) and "callee" in str(refused)
    assert isinstance(again, BatchReceipt) and again.same_content and again.stored == 0
    # One commit for the group; every record stored once.
    assert RecordLake(settings.lake_dir).snapshot(RecordKind.CALLS).version == version + 1
    rows = lake_rows(settings)
    assert len(rows) == 5 == len(set(rows))
    # Each batch's rejects are kept under its own label, with its own line numbers.
    with intake.store.session() as s:
        from sqlalchemy import select

        from scamnet.store.models import IngestedFileRow
        from scamnet.store.tables.dissuasion import DissuasionRow

        ledger = {r.path: (r.rows_read, r.rows_stored, r.rows_rejected)
                  for r in s.scalars(select(IngestedFileRow))}  # fmt: skip
        agencies = sorted(r.agency for r in s.scalars(select(DissuasionRow)))
    assert sorted(ledger.values()) == [(3, 3, 0), (6, 2, 3)]
    assert agencies == ["CN-YN-DH", "CN-YN-LC"]
    # One audit entry per batch of the group, its own sender's, in the order they were
    # taken in, on an unbroken chain.
    with intake.store.session() as s:
        from scamnet.store.audit import AuditLog

        log = AuditLog(s)
        pushes = [e for e in log.entries() if e.action == "records.push"]
        assert log.check().ok
    assert [(e.actor, e.detail["read"], e.detail["stored"], e.detail["same_content"])
            for e in pushes] == [("tester", 3, 3, False), ("lc.officer", 6, 2, False),
                                 ("tester", 0, 0, False), ("tester", 0, 0, True)]  # fmt: skip


def test_a_group_that_fails_fails_each_batch_and_leaves_the_lake_intact(
    intake: PushIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = intake.settings
    before = ndjson([call("+8613800138000", "+8613900139000", 1)])
    assert intake.push(TESTER, "calls", before, limit=False).stored == 1
    snap = RecordLake(settings.lake_dir).snapshot(RecordKind.CALLS)
    bodies = [ndjson([call("+8613800138001", f"+86139001390{i}{j}", 10) for j in range(3)])
              for i in range(3)]  # fmt: skip

    def full_disk(self: LakeWriter, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LakeWriter, "commit", full_disk)
    got = grouped(intake, [(TESTER, b) for b in bodies])
    assert all(isinstance(g, IntakeFailed) for g in got), got
    assert "send it again" in str(got[0]) and "OSError" in str(got[0])
    # Nothing of the group is visible, no file of it is left, the ledger did not
    # record it: the same batches sent again are stored, once.
    after = RecordLake(settings.lake_dir).snapshot(RecordKind.CALLS)
    assert after.version == snap.version and after.files == snap.files
    on_disk = sorted(settings.lake_dir.joinpath("calls").glob("day=*/*.parquet"))
    assert on_disk == sorted(snap.files)
    monkeypatch.undo()
    again = grouped(intake, [(TESTER, b) for b in bodies])
    assert [(r.stored, r.already, r.same_content) for r in again] == [(3, 0, False)] * 3
    assert len(lake_rows(settings)) == 10


def test_a_lone_batch_goes_at_once_and_groups_never_mix_kinds(intake: PushIntake) -> None:
    lone = intake.push(TESTER, "calls", ndjson([call("+8613800138000", "+8613900139000", 1)]),
                       limit=False)  # fmt: skip
    assert lone.stored == 1 and intake.groups == 1
    message = {"sender": "+8613800138000", "recipient": "+8613900139000",
               "sent_at": "2023-10-02T13:00:00Z", "text": "hello"}  # fmt: skip
    body = ndjson([call("+8613800138000", "+8613900139001", 2)])
    out = grouped(intake, [(TESTER, body), (TESTER, ndjson([message]))], ["calls", "messages"])
    assert out[0].stored == 1 and out[1].stored == 1
    assert intake.groups == 3  # one group per kind


def test_a_stream_worker_joins_fetched_messages_into_bodies_within_the_line_limit() -> None:
    from types import SimpleNamespace

    from scamnet.stream.intake import MAX_LINES
    from scamnet.stream.jetstream import _chunks

    third = MAX_LINES // 3
    sizes = [third, third, third, third, MAX_LINES + 5, 1]
    msgs = [SimpleNamespace(data=b"{}\n" * n) for n in sizes]
    chunks = _chunks(msgs, 200)
    assert [[sizes[msgs.index(m)] for m in c] for c in chunks] == [
        [third] * 3, [third], [MAX_LINES + 5], [1]
    ]  # fmt: skip
    # A message without its last line break counts that line too.
    assert len(_chunks([SimpleNamespace(data=b"{}\n" * (MAX_LINES - 1) + b"{}"),
                        SimpleNamespace(data=b"{}")], 200)) == 2  # fmt: skip
    # At most a fetch's messages a body, however few their lines: a body refused whole
    # is taken again message by message.
    small = [SimpleNamespace(data=b"{}\n") for _ in range(450)]
    assert [len(c) for c in _chunks(small, 200)] == [200, 200, 50]


def test_a_push_whose_group_fails_is_answered_503_and_stored_when_sent_again(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.stream.test_push import Client

    monkeypatch.setenv("SCAMNET_PUSH_RATE", "100000")
    api = Client(fresh)
    try:
        body = ndjson([call("+8613800138000", "+8613900139000", 1)])

        def full_disk(self: LakeWriter, *args: object, **kwargs: object) -> None:
            raise OSError(28, "No space left on device")

        with monkeypatch.context() as patched:
            patched.setattr(LakeWriter, "commit", full_disk)
            failed = api.push("calls", body)
        assert failed.status_code == 503 and int(failed.headers["Retry-After"]) >= 1
        assert "send it again" in failed.json()["detail"]
        assert lake_rows(api.settings) == []
        again = api.push("calls", body)
        assert again.status_code == 200 and again.json()["stored"] == 1
    finally:
        intake = getattr(api.http.app.state, "push_intake", None)  # type: ignore[attr-defined]
        if intake is not None:
            intake.close()
        api.store.dispose()


def test_reports_grouped_are_stored_once_each_and_watched_at_once(intake: PushIntake) -> None:
    def report(rid: str, phone: str) -> dict[str, object]:
        return {"report_id": rid, "filed_at": "2023-10-02T12:00:00Z", "bureau": "CN-YN-DH",
                "fraud_type": "impersonate_authority", "scammer_phone": phone}  # fmt: skip

    first = ndjson([report("R1", "+959441394427"), report("R2", "+959441394428")])
    second = ndjson([report("R2", "+959441394428"), report("R3", "+959441394429")])
    out = grouped(intake, [(TESTER, first), (TESTER, second)], ["reports", "reports"])
    assert intake.groups == 1
    assert [(r.stored, r.already) for r in out] == [(2, 0), (1, 1)]
    # The numbers reported are watched from then on: a call from one queues its callee.
    call_from = ndjson([call("+959441394429", "+8617769042331", 30)])
    assert intake.push(TESTER, "calls", call_from, limit=False).queued == 1

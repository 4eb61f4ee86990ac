"""The intake's key index: the day's key hashes kept between commits, exactly-once kept.

A long-lived intake no longer reads every earlier sidecar of the day at each commit;
these tests show it still recognises every record already stored: its own, another
writer's committed meanwhile, and, after a restart, everything before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scamnet.core.access import Actor, UserRole
from scamnet.lake.keyindex import KeyIndex
from scamnet.lake.writer import LakeWriter
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.stream.intake import IntakeFailed, PushIntake
from tests.stream.test_group import call, lake_rows, ndjson

TESTER = Actor("tester", "CN-YN-DH", frozenset(UserRole))


@pytest.fixture
def two(fresh: Path) -> Iterator[tuple[Settings, PushIntake, PushIntake]]:
    """Two intakes on one data directory, as two processes would be (each its own engine
    and index; the lake's writer lock orders their commits)."""
    settings = Settings.from_env(fresh)
    store = Store(settings.database_url)
    a, b = PushIntake(settings, store), PushIntake(settings, store)
    yield settings, a, b
    a.close()
    b.close()
    store.dispose()


def index_of(intake: PushIntake) -> KeyIndex:
    index = intake.ingestor.key_index
    assert index is not None
    return index


def test_commits_of_one_intake_read_no_sidecar_after_the_first_look(
    two: tuple[Settings, PushIntake, PushIntake],
) -> None:
    settings, a, _ = two
    for minute in range(6):
        body = ndjson([call(f"+8613800000{minute:03d}", "+8613900000001", minute)])
        assert a.push(TESTER, "calls", body, limit=False).stored == 1
    # The day had no file at the first commit; each later one knew the earlier ones.
    assert index_of(a).files_read == 0
    again = ndjson([call(f"+8613800000{m:03d}", "+8613900000001", m) for m in range(6)])
    receipt = a.push(TESTER, "calls", again, limit=False)
    assert (receipt.stored, receipt.already) == (0, 6)
    assert len(lake_rows(settings)) == 6


def test_records_another_writer_committed_meanwhile_are_recognised(
    two: tuple[Settings, PushIntake, PushIntake],
) -> None:
    settings, a, b = two
    assert a.push(TESTER, "calls", ndjson([call("+8613800000001", "+8613900000001", 1)]),
                  limit=False).stored == 1  # fmt: skip
    assert b.push(TESTER, "calls", ndjson([call("+8613800000002", "+8613900000001", 2)]),
                  limit=False).stored == 1  # fmt: skip
    # a holds the day already: b's file is new to it, and read.
    both = ndjson([call("+8613800000002", "+8613900000001", 2),
                   call("+8613800000003", "+8613900000001", 3)])  # fmt: skip
    receipt = a.push(TESTER, "calls", both, limit=False)
    assert (receipt.stored, receipt.already) == (1, 1)
    assert index_of(a).files_read == 1
    assert len(lake_rows(settings)) == 3


def test_a_restarted_intake_doubles_nothing(fresh: Path) -> None:
    settings = Settings.from_env(fresh)
    store = Store(settings.database_url)
    rows = [call(f"+8613800000{m:03d}", "+8613900000001", m) for m in range(4)]
    first = PushIntake(settings, store)
    for r in rows:
        first.push(TESTER, "calls", ndjson([r]), limit=False)
    first.close()  # the process ends: its index with it
    again = PushIntake(settings, store)
    try:
        receipt = again.push(TESTER, "calls", ndjson(list(reversed(rows))), limit=False)
        assert (receipt.stored, receipt.already) == (0, 4)
        assert index_of(again).files_read == 4  # loaded from the sidecars
    finally:
        again.close()
        store.dispose()
    assert len(lake_rows(settings)) == 4


def test_a_failed_commit_adds_nothing_to_the_index(
    two: tuple[Settings, PushIntake, PushIntake], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, a, _ = two
    a.push(TESTER, "calls", ndjson([call("+8613800000001", "+8613900000001", 1)]), limit=False)
    body = ndjson([call("+8613800000002", "+8613900000001", 2)])

    def full(*_: object) -> None:
        raise OSError("no space left on device")

    with monkeypatch.context() as m:
        m.setattr(LakeWriter, "commit", full)
        with pytest.raises(IntakeFailed):
            a.push(TESTER, "calls", body, limit=False)
    receipt = a.push(TESTER, "calls", body, limit=False)
    assert (receipt.stored, receipt.already) == (1, 0)
    assert len(lake_rows(settings)) == 2

"""A writer reads the lake's committed state at every commit: the snapshot carried on
from the commits seen before, and the leftovers found by listing names, are the same
as those built from scratch and found by globbing paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from scamnet.lake import RecordKind, RecordLake, layout
from scamnet.lake.check import recover

T0 = datetime(2023, 11, 17, 12, 0, tzinfo=UTC)


def calls(first: int, n: int, day: int) -> pa.Table:
    start = T0 + timedelta(days=day)
    return pa.table({
        "caller": ["+8613800138000"] * n,
        "callee": [f"+86139001{i:05d}" for i in range(first, first + n)],
        "start": [start + timedelta(seconds=i) for i in range(n)],
        "duration_s": list(range(n)),
        "imei": [None] * n,
        "cell_id": ["46000-1234"] * n,
    })  # fmt: skip


def from_scratch(lake: RecordLake, kind: RecordKind) -> tuple[int, tuple[Path, ...], dict]:
    """The snapshot as it was built before: every commit's files as paths, sorted."""
    commits = lake.log(kind).commits()
    base = lake.kind_dir(kind)
    keys: dict[str, set[str]] = {}
    for c in commits:
        for fp, rels in c.keys.items():
            keys.setdefault(fp, set()).update(rels)
    files = tuple(sorted({base / f for c in commits for f in c.files}))
    return commits[-1].version, files, {fp: frozenset(p) for fp, p in keys.items()}


def test_the_snapshot_carried_on_equals_the_one_built_from_scratch(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path)
    kind = RecordKind.CALLS
    # Days out of order, so that a later commit's files sort before earlier ones.
    for i, day in enumerate([5, 1, 9, 1, 3, 12, 0, 5, 30, 2]):
        lake.write(kind, calls(10 * i, 3, day))
        snap = lake.snapshot(kind)
        assert (snap.version, snap.files, snap.keys) == from_scratch(lake, kind)
        assert lake.snapshot(kind) is snap  # nothing committed since: the same one
    layout._SNAPSHOTS.clear()  # a process that starts now builds it whole
    fresh = lake.snapshot(kind)
    assert (fresh.version, fresh.files, fresh.keys) == from_scratch(lake, kind)
    assert fresh.days() == sorted({f.parent.name.removeprefix("day=") for f in fresh.files})
    assert [f.name for f in fresh.files_on(["2023-11-18"])] == [
        f.name for f in fresh.files if f.parent.name == "day=2023-11-18"
    ]


def test_a_lake_restored_to_an_older_copy_is_read_again(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path)
    kind = RecordKind.CALLS
    for i in range(3):
        lake.write(kind, calls(10 * i, 2, i))
    assert len(lake.snapshot(kind).files) == 3
    newest = sorted((tmp_path / "_log" / kind.value).glob("*.json"))[-1]
    newest.unlink()  # the last commit is gone (its files are now leftovers)
    snap = lake.snapshot(kind)
    assert (snap.version, snap.files, snap.keys) == from_scratch(lake, kind)
    assert len(snap.files) == 2


def test_recovery_finds_exactly_what_no_commit_lists(tmp_path: Path) -> None:
    lake = RecordLake(tmp_path)
    kind = RecordKind.CALLS
    for i in range(4):
        lake.write(kind, calls(10 * i, 2, i % 2))
    with lake.writer(kind) as w:  # a commit with a key sidecar, as ingestion makes
        data = lake.kind_dir(kind) / "day=2023-11-17" / "part-withkeys-0.parquet"
        sidecar = lake.keys_dir(kind, "fp1") / "day=2023-11-17" / "part-withkeys-0.parquet"
        sidecar.parent.mkdir(parents=True)
        data.write_bytes(lake.files(kind)[0].read_bytes())
        sidecar.write_bytes(b"PAR1")
        w.commit(2, [data], {"fp1": [sidecar]})
    snap = lake.snapshot(kind)
    debris = [
        snap.files[0].parent / "part-deadbeef-0.parquet",  # a day with committed files
        tmp_path / kind.value / "day=2023-12-01" / "part-deadbeef-0.parquet",  # a new day
        sidecar.parent / "part-deadbeef-0.parquet",
        tmp_path / "_keys" / "otherfp" / kind.value / "day=2023-11-17" / "x.parquet",
        tmp_path / "_log" / kind.value / ".tmp-deadbeef",
    ]
    for p in debris:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"PAR1")
    kept = [
        tmp_path / kind.value / "notaday" / "part-x.parquet",  # not under a day= directory
        tmp_path / kind.value / "day=2023-11-17" / "sub" / "part-x.parquet",  # deeper
    ]
    for p in kept:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"PAR1")
    gone = recover(lake, kind)
    assert sorted(gone) == sorted(debris)
    assert not any(p.exists() for p in debris)
    assert all(p.exists() for p in kept) and all(f.exists() for f in snap.files)
    assert sidecar.exists()
    assert snap.keys == {"fp1": frozenset({"day=2023-11-17/part-withkeys-0.parquet"})}
    assert recover(lake, kind) == []

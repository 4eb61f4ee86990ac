"""Finding and cleaning what an interrupted writer left behind (``scamnet lake check``).

Leftovers are files in a kind's directories that no commit record lists: data
files and key sidecars of a batch whose writer died before publishing, and
commit records never published. No reader ever saw them, so deleting them is
always safe, under the kind's writer lock. A kind without a commit log at all
was written before commit records existed ("legacy"); repairing it adopts every
readable data file into a first commit and removes the unreadable ones.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from scamnet.lake.layout import RecordLake
from scamnet.lake.lock import WriterLock
from scamnet.lake.log import LogCorrupt
from scamnet.lake.schemas import RecordKind


@dataclass
class KindReport:
    """What ``check`` found for one kind (paths relative to the lake)."""

    kind: str
    version: int = 0
    files: int = 0
    rows: int = 0
    leftovers: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # committed, but missing or unreadable
    legacy: int = 0  # data files from before commit records
    repaired: bool = False
    error: str | None = None

    @property
    def clean(self) -> bool:
        return not (self.leftovers or self.damaged or self.legacy or self.error)


def _readable(path: Path) -> int | None:
    """The row count of a Parquet file, or None if it cannot be read (torn, truncated)."""
    try:
        return int(pq.read_metadata(path).num_rows)
    except (OSError, pa.ArrowException):
        return None


def _uncommitted(lake: RecordLake, kind: RecordKind) -> list[Path]:
    snap = lake.snapshot(kind)
    data = {str(f) for f in snap.files}  # a path keeps its string once made
    found = [Path(p) for p in _files(lake.kind_dir(kind)) if p not in data]
    keys = lake.root / "_keys"
    for fp in sorted(e.name for e in _entries(keys) if e.is_dir()):
        base = keys / fp / kind.value
        committed = snap.keys.get(fp, frozenset())
        n = len(str(base)) + 1
        found += [Path(p) for p in _files(base) if p[n:].replace(os.sep, "/") not in committed]
    return sorted(found) + lake.log(kind).leftovers()


# Every writer looks for leftovers when it takes the lock, so this runs at every commit
# of a stream: names listed with ``scandir`` and compared as strings. Globbing Path
# objects and comparing paths cost tens of ms a commit at a few hundred commits.


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _files(base: Path) -> list[str]:
    """The paths of the files in ``base``'s ``day=*`` directories, as ``glob("day=*/*")``
    with ``is_file()`` finds them (``str()`` of the paths it would give)."""
    return [
        entry.path
        for day in _entries(base) if day.name.startswith("day=") and day.is_dir()
        for entry in _entries(Path(day.path)) if entry.is_file()
    ]  # fmt: skip


def _prune_empty(lake: RecordLake, kind: RecordKind) -> None:
    dirs = [
        *lake.kind_dir(kind).glob("day=*"),
        *(lake.root / "_keys").glob(f"*/{kind.value}/day=*"),
    ]
    for d in dirs:
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()


def recover(lake: RecordLake, kind: RecordKind) -> list[Path]:
    """Delete the leftovers of interrupted batches; the caller holds the writer lock.

    A legacy kind (no commit log) is adopted first, so its data stays visible.
    """
    if not lake.log(kind).exists:
        _adopt(lake, kind)
    gone = _uncommitted(lake, kind)
    for p in gone:
        p.unlink(missing_ok=True)
    _prune_empty(lake, kind)
    return gone


def _adopt(lake: RecordLake, kind: RecordKind) -> None:
    files = sorted(lake.kind_dir(kind).glob("day=*/part-*.parquet"))
    if not files:
        return
    good = [(f, n) for f in files if (n := _readable(f)) is not None]
    base = lake.kind_dir(kind)
    # Sidecars of an older version are not listed: their data files then have their
    # key hashes computed from the key columns, which is always right.
    lake.log(kind).publish("adopted", sum(n for _, n in good),
                           [f.relative_to(base).as_posix() for f, _ in good], {})  # fmt: skip


def check(lake: RecordLake, kind: RecordKind, repair: bool = False, wait_s: float = 0.0
          ) -> KindReport:  # fmt: skip
    """Report the state of ``kind``; with ``repair``, clean leftovers and adopt legacy files."""
    report = KindReport(kind.value)
    try:
        if repair:
            with WriterLock(lake.root / "_log" / f"{kind.value}.lock",
                            f"writer of the {kind.value} lake", wait_s):  # fmt: skip
                legacy = (
                    0
                    if lake.log(kind).exists
                    else len(list(lake.kind_dir(kind).glob("day=*/part-*.parquet")))
                )
                gone = recover(lake, kind)
                report.repaired = bool(gone) or bool(legacy)
        elif not lake.log(kind).exists:
            report.legacy = len(list(lake.kind_dir(kind).glob("day=*/part-*.parquet")))
            return report
        else:
            report.leftovers = [p.relative_to(lake.root).as_posix()
                                for p in _uncommitted(lake, kind)]  # fmt: skip
        snap = lake.snapshot(kind)
    except LogCorrupt as exc:
        report.error = str(exc)
        return report
    report.version, report.files = snap.version, len(snap.files)
    for f in snap.files:
        n = _readable(f)
        if n is None:
            report.damaged.append(f.relative_to(lake.root).as_posix())
        else:
            report.rows += n
    return report


def clean_workdirs(tmp_dir: Path) -> list[Path]:
    """Remove ``ingest-<pid>-*`` scratch directories whose process is gone."""
    gone = _stale_workdirs(tmp_dir)
    for d in gone:
        shutil.rmtree(d, ignore_errors=True)
    return gone


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class LakeReport:
    """``check_all``'s answer: one report per kind, and scratch directories found."""

    kinds: list[KindReport]
    workdirs: list[str]

    @property
    def clean(self) -> bool:
        return all(k.clean for k in self.kinds) and not self.workdirs


def check_all(lake: RecordLake, tmp_dir: Path, repair: bool = False) -> LakeReport:
    """Check (and with ``repair``, clean) every kind and the ingest scratch space."""
    kinds = [check(lake, kind, repair) for kind in RecordKind]
    if repair:
        stale = [d.name for d in clean_workdirs(tmp_dir)] if tmp_dir.is_dir() else []
    else:
        stale = [d.name for d in _stale_workdirs(tmp_dir)]
    return LakeReport(kinds, stale)


def _stale_workdirs(tmp_dir: Path) -> list[Path]:
    out = []
    for d in sorted(tmp_dir.glob("ingest-*")):
        parts = d.name.split("-")
        pid = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
        if pid is None or not _alive(pid):
            out.append(d)
    return out

"""The single writer of one record kind, and the commit of its batch.

Entering a :class:`LakeWriter` takes the kind's writer lock and then cleans up
after any writer that died before committing (its files are not in the log, so
no reader ever saw them). The batch's files are written under the kind's
directories with names no commit uses yet; :meth:`LakeWriter.commit` syncs them
and publishes one commit record. A writer that leaves without committing
removes what it wrote.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from types import TracebackType

from scamnet.lake.check import recover
from scamnet.lake.durable import fsync_dir, fsync_file
from scamnet.lake.faults import crash_point
from scamnet.lake.layout import RecordLake
from scamnet.lake.lock import WriterLock
from scamnet.lake.log import Commit
from scamnet.lake.schemas import RecordKind

# Day directories whose entry in their parent this process has synced, with their inode.
_durable_dirs: dict[Path, int] = {}


class LakeWriter:
    """Writes one batch of one kind; see the module docstring."""

    def __init__(self, lake: RecordLake, kind: RecordKind, tag: str, wait_s: float) -> None:
        self.lake, self.kind = lake, kind
        # Unique per batch: a file name is never reused, so a leftover of a dead
        # writer can be deleted without looking inside it.
        self.txn = f"{tag[:16]}{'-' if tag else ''}{int(time.time()):x}{secrets.token_hex(4)}"
        self._lock = WriterLock(lake.root / "_log" / f"{kind.value}.lock",
                                f"writer of the {kind.value} lake", wait_s)  # fmt: skip
        self.committed: Commit | None = None

    def __enter__(self) -> LakeWriter:
        self.lake.root.mkdir(parents=True, exist_ok=True)
        self._lock.__enter__()
        try:
            recover(self.lake, self.kind)
            self.lake.log(self.kind).create()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.committed is None:
                recover(self.lake, self.kind)  # nothing published: remove what was written
        finally:
            self._lock.__exit__(et, ev, tb)

    def pattern(self) -> str:
        """The file name pattern of this batch (DuckDB's ``FILENAME_PATTERN``)."""
        return f"part-{self.txn}-{{i}}"

    def written(self, base: Path) -> list[Path]:
        """The files of this batch under ``base`` (a kind or sidecar directory)."""
        return sorted(base.glob(f"day=*/part-{self.txn}-*.parquet"))

    def commit(self, rows: int, files: list[Path], keys: dict[str, list[Path]]) -> Commit | None:
        """Sync ``files`` and the sidecars in ``keys``, then publish them as one commit."""
        if not files:
            return None
        crash_point("fsync")
        base = self.lake.kind_dir(self.kind)
        dirs: set[Path] = set()
        for f in [*files, *(s for paths in keys.values() for s in paths)]:
            fsync_file(f)
            dirs.add(f.parent)
            # The day directory's own name only needs syncing in its parent once: a
            # stream commits to the same day many times a second. Known by inode, so
            # a day directory removed and made again is synced again.
            if _durable_dirs.get(f.parent) != f.parent.stat().st_ino:
                dirs.add(f.parent.parent)
        for d in sorted(dirs):
            fsync_dir(d)
        for d in {f.parent for f in files} | {s.parent for p in keys.values() for s in p}:
            if d.parent in dirs:
                _durable_dirs[d] = d.stat().st_ino
        rel = [f.relative_to(base).as_posix() for f in files]
        rel_keys = {
            fp: [s.relative_to(self.lake.keys_dir(self.kind, fp)).as_posix() for s in paths]
            for fp, paths in keys.items()
        }
        self.committed = self.lake.log(self.kind).publish(self.txn, rows, rel, rel_keys)
        crash_point("published")
        return self.committed

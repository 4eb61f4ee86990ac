"""The lake's commit log: which data files and key sidecars are visible.

One directory per record kind, ``<lake>/_log/<kind>/``, holds one JSON commit
record per published batch, named by its version (``00000000000000000007.json``).
A file in the lake is visible exactly when a commit record lists it; anything
else is a leftover of an unfinished batch. The protocol (docs/lake.md) follows
Delta Lake's transaction log in its simplest form: data files are written and
synced under fresh names first, then one commit record is written under a
temporary name, synced, and published with ``link()``, which is atomic and
fails if the version exists already (Delta's "put if absent").
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scamnet.lake.durable import fsync_dir, write_durably
from scamnet.lake.faults import crash_point

VERSION_DIGITS = 20


@dataclass(frozen=True, slots=True)
class Commit:
    """One published batch: its data files and key sidecars, relative paths."""

    version: int
    txn: str
    rows: int
    files: tuple[str, ...]  # relative to the kind's directory: "day=…/part-….parquet"
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # fingerprint → sidecars

    def to_json(self) -> bytes:
        body: dict[str, Any] = {
            "version": self.version,
            "txn": self.txn,
            "rows": self.rows,
            "at": datetime.now(UTC).isoformat(),
            "files": list(self.files),
            "keys": {fp: list(paths) for fp, paths in self.keys.items()},
        }
        return json.dumps(body, sort_keys=True, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Commit:
        body = json.loads(data)
        return cls(
            version=int(body["version"]),
            txn=str(body["txn"]),
            rows=int(body["rows"]),
            files=tuple(str(p) for p in body["files"]),
            keys={str(fp): tuple(str(p) for p in ps) for fp, ps in body.get("keys", {}).items()},
        )


# Published commit records never change: each is parsed once per process (a writer
# reads the whole log at every commit). Keyed by the file's identity, so a record
# replaced on disk (a lake restored from a copy) is read again.
_PARSED: dict[str, tuple[tuple[int, int, int], Commit]] = {}
PARSED_MAX = 100_000


def _read(path: str) -> Commit:
    st = os.stat(path)
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    found = _PARSED.get(path)
    if found is not None and found[0] == key:
        return found[1]
    with open(path, "rb") as fh:
        commit = Commit.from_json(fh.read())
    if len(_PARSED) >= PARSED_MAX:
        _PARSED.clear()
    _PARSED[path] = (key, commit)
    return commit


class LogCorrupt(RuntimeError):
    """A published commit record cannot be read (the disk or a person damaged it)."""


class CommitLog:
    """The commit records of one record kind."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def exists(self) -> bool:
        """Whether this kind was ever written with commit records (else a legacy lake)."""
        return self.root.is_dir()

    def _published(self) -> list[str]:
        """The names of the published records, oldest first.

        Names, not paths: a writer lists the log several times a commit, and making and
        sorting Path objects for every record cost it tens of ms a commit at a few
        hundred commits. Sorted as strings, in the order the paths would have.
        """
        try:
            names = os.listdir(self.root)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(n for n in names if n.endswith(".json") and n[:-5].isdigit())

    def commits(self) -> list[Commit]:
        """Every published commit, oldest first."""
        out = []
        root = str(self.root)
        for name in self._published():
            try:
                out.append(_read(os.path.join(root, name)))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise LogCorrupt(f"commit record {name} cannot be read ({type(exc).__name__})"
                                 ) from None  # fmt: skip
        return out

    def next_version(self) -> int:
        published = self._published()
        return int(published[-1][:-5]) + 1 if published else 1

    def leftovers(self) -> list[Path]:
        """Commit records written but never published (a writer died before ``link``)."""
        try:
            names = os.listdir(self.root)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [self.root / n for n in sorted(n for n in names if n.startswith(".tmp-"))]

    def create(self) -> None:
        """Mark the kind as written with commit records (before any data file is)."""
        if not self.root.is_dir():
            self.root.mkdir(parents=True, exist_ok=True)
            fsync_dir(self.root.parent)

    def publish(self, txn: str, rows: int, files: list[str], keys: dict[str, list[str]]) -> Commit:
        """Make a batch visible: the one atomic step of a commit.

        The caller has synced every file listed. The record is written and synced
        under a temporary name, then linked to its version's name (atomic, and
        refused if that version exists), and the directory is synced.
        """
        self.create()
        commit = Commit(self.next_version(), txn, rows, tuple(files),
                        {fp: tuple(p) for fp, p in keys.items()})  # fmt: skip
        tmp = self.root / f".tmp-{txn}"
        write_durably(tmp, commit.to_json())
        crash_point("commit")
        final = self.root / f"{commit.version:0{VERSION_DIGITS}d}.json"
        try:
            os.link(tmp, final)
        except FileExistsError:
            tmp.unlink()
            raise RuntimeError(
                f"commit version {commit.version} was taken by another writer; the lake "
                "lock should prevent this (is the lake on a file system without flock?)"
            ) from None
        fsync_dir(self.root)
        tmp.unlink()
        return commit

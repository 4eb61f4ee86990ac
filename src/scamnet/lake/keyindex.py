"""The key hashes of the days a long-lived writer appends to, kept in its engine.

A stream commits several times a second. Checking each commit against the day's
key sidecars (`scamnet.lake.append`) read one file per earlier commit of the day:
the n-th commit of a day read n files, and the cost grew all day. A ``KeyIndex``
holds the hashes of the days it has seen in a temporary table of the writer's
own DuckDB connection, so a commit reads only the sidecars committed since its
previous look (none, when this process is the only writer) and adds its own rows
once they are published.

It never decides on its own that a row is new: it only answers "which hashes are
stored on these days", exactly as the sidecars would.

- Only committed files are loaded (the snapshot's list, under the writer lock), and
  a process's own rows are added after their commit is published, never before:
  a commit that fails adds nothing.
- A file that is no longer committed (the day was rewritten) drops the day's
  hashes, which are loaded again from the sidecars.
- The index lives and dies with the process: a restarted writer starts empty and
  loads the day from the sidecars, so a restart doubles nothing.
- At most ``max_days`` days are held; the least recently used goes first.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

import duckdb

from scamnet.lake.layout import Snapshot

TABLE = "lake_key_index"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(paths: list[Path]) -> str:
    return "[" + ", ".join(_q(str(p)) for p in paths) + "]"


class KeyIndex:
    """Per (kind, day), the key hashes of the committed files loaded so far."""

    def __init__(self, max_days: int = 3) -> None:
        self.max_days = max_days
        # (kind, fingerprint, day) -> data files (relative to the kind) whose hashes are held
        self.loaded: OrderedDict[tuple[str, str, str], set[str]] = OrderedDict()
        self.files_read = 0  # sidecars (or bare data files) read: for tests and benchmarks
        # The connection the table was made on (held, so never another one at its address).
        self._made_on: duckdb.DuckDBPyConnection | None = None

    def _table(self, con: duckdb.DuckDBPyConnection) -> None:
        if con is self._made_on:  # made already: a statement less per commit
            return
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TABLE} "
                    "(kind VARCHAR, fp VARCHAR, day VARCHAR, k UBIGINT)")  # fmt: skip
        self._made_on = con

    def _drop(self, con: duckdb.DuckDBPyConnection, slot: tuple[str, str, str]) -> None:
        con.execute(f"DELETE FROM {TABLE} WHERE kind = ? AND fp = ? AND day = ?", list(slot))
        self.loaded.pop(slot, None)

    def stored(self, con: duckdb.DuckDBPyConnection, snap: Snapshot, fingerprint: str,
               days: list[str], keys: str) -> str | None:  # fmt: skip
        """A query of the key hashes committed on ``days`` (``None``: no data there).

        Call it under the kind's writer lock, with the snapshot taken under it.
        """
        self._table(con)
        kind = snap.kind.value
        base = snap.root / kind
        cut = len(str(base)) + 1  # the snapshot's files are all under ``base``
        any_data = False
        for day in days:
            files = snap.files_on([day])
            slot = (kind, fingerprint, day)
            # Sliced, not ``relative_to``: every file of the day, at every commit.
            rel = {str(f)[cut:].replace(os.sep, "/"): f for f in files}
            have = self.loaded.get(slot)
            if have is not None and not have <= rel.keys():
                self._drop(con, slot)  # a file left the day: load it again
                have = None
            have = set() if have is None else have
            new = [f for r, f in rel.items() if r not in have]
            sidecars = [s for f in new if (s := snap.sidecar(fingerprint, f)) and s.is_file()]
            bare = [f for f in new if not ((s := snap.sidecar(fingerprint, f)) and s.is_file())]
            if sidecars:
                con.execute(f"INSERT INTO {TABLE} SELECT ?, ?, ?, k FROM "
                            f"read_parquet({_list(sidecars)}, hive_partitioning = false)",
                            [kind, fingerprint, day])  # fmt: skip
            if bare:
                con.execute(f"INSERT INTO {TABLE} SELECT ?, ?, ?, hash({keys}) FROM "
                            f"read_parquet({_list(bare)}, hive_partitioning = false)",
                            [kind, fingerprint, day])  # fmt: skip
            self.files_read += len(new)
            have |= rel.keys()
            self.loaded[slot] = have
            self.loaded.move_to_end(slot)
            any_data = any_data or bool(files)
        for slot in list(self.loaded):
            if len(self.loaded) <= self.max_days:
                break
            if slot[0] == kind and slot[2] in days:
                continue
            self._drop(con, slot)
        if not any_data:
            return None
        wanted = ", ".join(_q(d) for d in days)
        return (f"SELECT k FROM {TABLE} WHERE kind = {_q(kind)} AND fp = {_q(fingerprint)} "
                f"AND day IN ({wanted})")  # fmt: skip

    def committed(self, con: duckdb.DuckDBPyConnection, snap: Snapshot, fingerprint: str,
                  source: str, day_sql: str, files: list[Path]) -> None:  # fmt: skip
        """Add the hashes of rows just published in ``files`` (from ``source``'s ``__k``,
        their day by ``day_sql``) to the days held; days not held are loaded when asked."""
        kind = snap.kind.value
        base = snap.root / kind
        by_day: dict[str, list[str]] = {}
        for f in files:
            by_day.setdefault(f.parent.name.removeprefix("day="), []).append(
                f.relative_to(base).as_posix()
            )
        held = [d for d in by_day if (kind, fingerprint, d) in self.loaded]
        if not held:
            return
        if len(by_day) == 1:  # every row of the commit is on that day: no day per row
            con.execute(f"INSERT INTO {TABLE} SELECT ?, ?, ?, __k FROM {source}",
                        [kind, fingerprint, held[0]])  # fmt: skip
            self.loaded[(kind, fingerprint, held[0])].update(by_day[held[0]])
            return
        wanted = ", ".join(_q(d) for d in held)
        con.execute(
            f"INSERT INTO {TABLE} SELECT ?, ?, d, k FROM (SELECT __k AS k, "
            f"strftime({day_sql}, '%Y-%m-%d') AS d FROM {source}) WHERE d IN ({wanted})",
            [kind, fingerprint],
        )  # fmt: skip
        for d in held:
            self.loaded[(kind, fingerprint, d)].update(by_day[d])

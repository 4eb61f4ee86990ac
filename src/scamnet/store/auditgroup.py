"""Audited reads appended in groups: one transaction and one commit for all waiting.

Every read of personal data writes an audit entry before the data is shown. Each
append takes the chain's write lock and commits, so under many concurrent readers
(an analysts' room, a dashboard refreshing) the reads queue behind one another's
commits: on SQLite the whole database's write lock, on PostgreSQL the chain's
advisory lock. Databases solve the same problem for their own log by group commit,
and so does this: a reader hands its entry to one writer thread and waits; the writer
takes every entry waiting, appends them to the chain in one transaction, commits
once and wakes them all. An entry is durable before its reader goes on, as before;
only the number of commits changes.

A unit of work that has already written must append in its own transaction instead
(`scamnet.store.audit.audit_read` decides): the writer would otherwise wait for a
lock that its own caller holds.

On SQLite the writer's commits never checkpoint the write-ahead log. SQLite runs its
automatic checkpoint inside the commit that crosses 1,000 pages, and every reader of
that group waited for it (4 to 41 ms, once 329 ms, measured: the lists' p99 under load
was partly that). A checkpointer thread of the store's runs a passive checkpoint
instead, at most once a second after groups were written, on a connection of its own:
it never blocks the writer, and the readers never wait for it. Durability is the
commit's, as before (WAL, ``synchronous=FULL``): a checkpoint only moves committed
pages into the database file.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

# Keys of ``Session.info`` set by the store (see `scamnet.store.database.Store.session`).
GROUP_KEY = "scamnet.audit_group"
WROTE_KEY = "scamnet.wrote"
MAX_GROUP = 500  # entries per transaction: bounds one commit's time under a flood
CHECKPOINT_EVERY_S = 1.0  # a passive checkpoint at most this often, when groups were written


@dataclass(slots=True)
class _Waiting:
    actor: str
    action: str
    subject: str
    detail: dict[str, Any] | None
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupAppender:
    """The store's writer of audited reads (one thread, started on first use)."""

    def __init__(
        self,
        sessions: Callable[[], AbstractContextManager[Session]],
        checkpoint: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._checkpointer = _Checkpointer(checkpoint) if checkpoint is not None else None

    def append(self, actor: str, action: str, subject: str,
               detail: dict[str, Any] | None = None) -> None:  # fmt: skip
        """Append one entry; returns once it is committed (raises what the write raised)."""
        waiting = _Waiting(actor, action, subject, detail)
        self._running()
        self._queue.put(waiting)
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error

    def close(self) -> None:
        """Stop the writer after the entries already handed to it."""
        with self._start:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join()
                self._thread = None
            if self._checkpointer is not None:
                self._checkpointer.close()

    @property
    def checkpoints(self) -> int:
        """Checkpoints run after written groups (SQLite), for tests."""
        return self._checkpointer.done if self._checkpointer is not None else 0

    def _running(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._loop, name="scamnet-audit-writer", daemon=True
                    )
                    self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                group.append(more)
            self._write(group)
            if stop:
                return

    def _write(self, group: list[_Waiting]) -> None:
        from scamnet.store.audit import AuditLog

        error: BaseException | None = None
        try:
            with self._sessions() as session:
                AuditLog(session).append_many(
                    [(w.actor, w.action, w.subject, w.detail) for w in group]
                )
        except BaseException as exc:  # handed to every waiting reader, who raises it
            error = exc
        for w in group:
            w.error = error
            w.done.set()
        if error is None and self._checkpointer is not None:
            self._checkpointer.nudge()


class _Checkpointer:
    """Runs ``checkpoint`` on a thread of its own, at most once a ``CHECKPOINT_EVERY_S``
    after it was nudged; a failed checkpoint is left to the next (SQLite's own automatic
    checkpoint, on the other connections' writes, is the backstop)."""

    def __init__(self, checkpoint: Callable[[], None]) -> None:
        self._checkpoint = checkpoint
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self.done = 0
        self.ran = threading.Condition()

    def nudge(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None and not self._stop.is_set():
                    self._thread = threading.Thread(
                        target=self._loop, name="scamnet-wal-checkpoint", daemon=True
                    )
                    self._thread.start()
        self._wanted.set()

    def close(self) -> None:
        with self._start:
            self._stop.set()
            self._wanted.set()
            if self._thread is not None:
                self._thread.join()
                self._thread = None
            self._stop.clear()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            if self._stop.is_set():
                return
            self._wanted.clear()
            with contextlib.suppress(Exception):  # busy or failed: the next one catches up
                self._checkpoint()
            with self.ran:
                self.done += 1
                self.ran.notify_all()
            if self._stop.wait(CHECKPOINT_EVERY_S):
                return

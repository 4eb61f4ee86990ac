"""One writer at a time: an advisory lock file holding the writer's pid.

``flock`` (``msvcrt.locking`` on Windows) is used rather than "the file exists"
because the kernel drops the lock when its holder dies, even by SIGKILL: a killed
ingest never leaves a stale lock behind. The pid written into the file is only for
the message a waiting or refused writer shows. The lock is re-entrant within one
process (a use case that holds it may call code that takes it again).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

POLL_S = 0.1

if sys.platform == "win32":  # the demo and the CLI run on Windows too
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)  # the lock is on the file's first byte
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


_held: dict[Path, tuple[int, int]] = {}  # path → (fd, depth), this process
_guard = threading.Lock()


class WriterBusy(RuntimeError):
    """Another process holds the writer lock and did not let go in time."""


def holder(path: Path) -> int | None:
    """The pid recorded in lock file ``path``, if any."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


class WriterLock:
    """``with WriterLock(path, what, wait_s):`` holds the lock for the block.

    Args:
        path: The lock file (created if missing).
        what: What the lock guards, for messages ("ingest of calls").
        wait_s: How long to wait for another holder; 0 refuses at once.
    """

    def __init__(self, path: Path, what: str, wait_s: float = 0.0) -> None:
        self.path = path
        self.what = what
        self.wait_s = wait_s

    def __enter__(self) -> WriterLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path = self.path.resolve()
        with _guard:
            if self.path in _held:
                fd, depth = _held[self.path]
                _held[self.path] = (fd, depth + 1)
                return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.wait_s
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                pid = holder(self.path)
                by = f" (pid {pid})" if pid else ""
                raise WriterBusy(
                    f"another {self.what} is running{by}; wait for it to finish and try "
                    "again, or set SCAMNET_LOCK_WAIT_S to wait longer"
                ) from None
            time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)  # no pwrite on Windows
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        with _guard:
            _held[self.path] = (fd, 1)
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        with _guard:
            fd, depth = _held[self.path]
            if depth > 1:
                _held[self.path] = (fd, depth - 1)
                return
            del _held[self.path]
        os.ftruncate(fd, 0)
        _unlock(fd)
        os.close(fd)

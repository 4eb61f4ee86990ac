"""Durable file operations: fsync files and directories, private permissions.

A rename is atomic but only durable once the directory holding the new name has
been synced, and a file's bytes only once the file itself has been synced (the
order SQLite's journal and Delta Lake's log both rely on). These helpers are the
few system calls the lake's commit protocol (docs/lake.md) is built from.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def fsync_file(path: Path) -> None:
    """Flush ``path``'s bytes to stable storage."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make the names in directory ``path`` (new files, renames) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``, owner-only, and sync it (not its directory)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only; tighten it if it exists.

    Also sets the process umask to 077, so every file created later by this process
    (SQLite, DuckDB and Arrow writers alike) is 0600 without each writer saying so.
    """
    os.umask(0o077)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    mode = path.stat().st_mode
    # A sticky directory is a shared one (/tmp): never take it away from others.
    if mode & 0o777 != PRIVATE_DIR and not mode & stat.S_ISVTX:
        with contextlib.suppress(PermissionError):  # not ours (a shared mount): leave it
            path.chmod(PRIVATE_DIR)
    return path

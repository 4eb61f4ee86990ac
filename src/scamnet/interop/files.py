"""Where exports are written: refused early, in one line, when the place cannot take them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from scamnet.core.errors import DomainError


class Unwritable(DomainError):
    """The export cannot be written where it was asked to go."""


def check_writable(out: Path, directory: bool = False) -> None:
    """Refuse ``out`` before any work is done: its directory must exist and be writable.

    With ``directory``, ``out`` is itself a directory the export fills (created if absent).
    """
    parent = out if directory and out.is_dir() else out.parent
    if not parent.is_dir():
        raise Unwritable(f"cannot write {out}: no directory {parent}")
    if not os.access(parent, os.W_OK):
        raise Unwritable(f"cannot write {out}: {parent} is not writable")
    if not directory and out.is_dir():
        raise Unwritable(f"cannot write {out}: it is a directory")


@contextmanager
def writing(out: Path) -> Iterator[IO[str]]:
    """Write ``out`` through a temporary file renamed into place: a failed export leaves
    no half-written file behind, and an existing file stays as it was."""
    check_writable(out)
    tmp = out.with_name(f".{out.name}.part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        tmp.replace(out)
    except OSError as exc:
        raise Unwritable(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` the same way as :func:`writing`."""
    check_writable(out)
    tmp = out.with_name(f".{out.name}.part")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise Unwritable(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)

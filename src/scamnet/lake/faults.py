"""Named crash points, for the crash test: ``SCAMNET_CRASH_AT=<phase>[+<seconds>]``.

When the variable names a phase, the process kills itself with SIGKILL as it
enters that phase, or ``<seconds>`` after it (from a timer thread, so the kill
lands in the middle of the phase's work: a half-written Parquet file, a
half-synced sidecar). Without the variable a crash point costs one dictionary
lookup. The phases, in the order an ingest passes them: ``read``, ``validate``,
``write``, ``sidecar``, ``fsync``, ``commit`` (the commit record is written but
not yet published), ``published`` (visible, the ledger not yet committed).
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "SCAMNET_CRASH_AT"


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def crash_point(phase: str) -> None:
    """Die here if ``SCAMNET_CRASH_AT`` names ``phase``."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    name, _, delay = spec.partition("+")
    if name != phase:
        return
    if not delay:
        _kill()
    timer = threading.Timer(float(delay), _kill)
    timer.daemon = True
    timer.start()

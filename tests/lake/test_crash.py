"""Kill an ingest with SIGKILL, again and again, and the lake stays whole.

For each lake kind, at least 20 ingests of two overlapping files are killed:
twelve at named phases (``SCAMNET_CRASH_AT``, some with a delay so the kill lands
inside the phase's Parquet write), the rest at random moments chosen by a seeded
generator (an attempt whose moment falls after the run ended is not counted).
After each kill the ingest runs again to the end, and then: the lake reads,
holds exactly the rows of one clean run, has no duplicate key, has no
leftovers, and ``features subscribers`` runs.

The killed ingests run in child processes forked from a server that imported
scamnet once (see tests/lake/support.py), so a kill costs a fork, not an
interpreter start.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.lake import RecordKind, RecordLake
from scamnet.lake.check import check
from scamnet.settings import Settings
from tests.lake.conftest import fresh_data_dir
from tests.lake.support import context, ingest_all, lake_state, run_child

NAMED = ["read", "read+0.02", "validate", "write", "write+0.01", "write+0.03", "sidecar",
         "sidecar+0.01", "fsync", "commit", "published", "ledger"]  # fmt: skip
# Every kind is killed at every named phase; the calls, the largest and the lake's main
# kind, at as many random moments again. The other kinds share the calls' commit path,
# so a few random kills each keep their own files covered at a fraction of the cost.
KILLS = {"calls": 20, "messages": 14, "transfers": 14}
MAX_ATTEMPTS = 40
runner = CliRunner()


def assert_whole(data_dir: Path, kind: str, clean_rows: int, what: str) -> None:
    settings = Settings.from_env(data_dir)
    report = check(RecordLake(settings.lake_dir), RecordKind(kind))
    assert report.clean, (what, report)
    assert report.rows == clean_rows, what
    assert lake_state(data_dir, kind) == (clean_rows, clean_rows), what
    assert not list(settings.tmp_dir.glob("ingest-*")), what
    result = runner.invoke(app, ["features", "subscribers", "--from", "2023-10-01",
                                 "--to", "2023-10-03", "--data-dir", str(data_dir)])  # fmt: skip
    assert result.exit_code == 0, (what, result.output)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["calls", "messages", "transfers"])
def test_sigkill_at_any_moment_leaves_the_lake_whole(
    kind: str, sources: dict[str, list[Path]], template_db: Path, tmp_path: Path
) -> None:
    files = sources[kind]
    clean_dir = fresh_data_dir(tmp_path / "clean", template_db)
    warm = context().Process(target=os.getpid)  # start the fork server before timing
    warm.start()
    warm.join()
    began = time.monotonic()
    assert run_child(clean_dir, kind, files, None) == 0
    clean_seconds = time.monotonic() - began
    clean_rows = lake_state(clean_dir, kind)[0]
    assert clean_rows > 300

    rng = random.Random(f"crash-{kind}")
    killed = attempt = 0
    while killed < KILLS[kind] and attempt < MAX_ATTEMPTS:
        phase = NAMED[attempt] if attempt < len(NAMED) else None
        after = None if phase else rng.uniform(0.02, clean_seconds)
        attempt += 1
        data_dir = fresh_data_dir(tmp_path / f"kill-{attempt}", template_db)
        code = run_child(data_dir, kind, files, phase, after)
        if phase is not None:
            # A named phase is always reached: the kill must have happened there.
            assert code == -signal.SIGKILL, (phase, code)
        killed += code == -signal.SIGKILL
        summary = ingest_all(data_dir, kind, files)
        assert not summary.failed
        assert_whole(data_dir, kind, clean_rows, f"after a kill at {phase or f'{after:.2f}s'}")
    assert killed >= KILLS[kind]

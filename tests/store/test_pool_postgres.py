"""A PostgreSQL store in production: its connection pool from the environment, and
migrations that several processes may start at once."""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import exc, text
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.store import Store
from scamnet.store.database import MIGRATION_LOCK, PoolSettings
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres
_names = itertools.count()


@pytest.fixture
def url(postgres_server: PostgresServer, postgres_template: str) -> str:
    return postgres_server.create_database(f"pool{next(_names)}", template=postgres_template)


def test_the_pool_is_sized_from_the_environment(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCAMNET_DB_POOL_SIZE", "3")
    monkeypatch.setenv("SCAMNET_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("SCAMNET_DB_POOL_TIMEOUT_S", "1")
    monkeypatch.setenv("SCAMNET_DB_POOL_RECYCLE_S", "600")
    store = Store(url)
    try:
        assert store.pool == PoolSettings(size=3, max_overflow=0, timeout_s=1.0, recycle_s=600)
        held = [store.engine.connect() for _ in range(3)]
        # The server sees this process's connections by name.
        names = (
            held[0]
            .execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"),
                {"n": f"scamnet-{os.getpid()}"},
            )
            .scalar()
        )
        assert names == 3
        # A fourth waits for the pool's timeout, then fails as a busy store (the API's 503).
        with pytest.raises(exc.TimeoutError):
            store.engine.connect()
        for conn in held:
            conn.close()
        with store.engine.connect() as conn:  # returned connections serve again
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        store.dispose()


def test_defaults_and_sqlite_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POOL_SIZE", "MAX_OVERFLOW", "POOL_TIMEOUT_S", "POOL_RECYCLE_S"):
        monkeypatch.delenv(f"SCAMNET_DB_{name}", raising=False)
    assert PoolSettings.from_env() == PoolSettings(5, 10, 30.0, 1800)
    monkeypatch.setenv("SCAMNET_DB_POOL_SIZE", "nope")
    store = Store("sqlite://")  # SQLite ignores the settings, so a bad one does not matter
    assert store.pool is None
    store.dispose()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [("SCAMNET_DB_POOL_SIZE", "many", "must be a whole number, not 'many'"),
     ("SCAMNET_DB_POOL_SIZE", "0", "must be at least 1"),
     ("SCAMNET_DB_MAX_OVERFLOW", "-1", "must be at least 0")],
)  # fmt: skip
def test_a_bad_setting_is_one_line(url: str, tmp_path: Path, name: str, value: str,
                                   says: str) -> None:  # fmt: skip
    env = {"SCAMNET_DATABASE_URL": url, name: value, "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["db", "status", "--data-dir", str(tmp_path)], env=env)
    assert result.exit_code == 2
    assert f"{name} {says}" in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1


def test_an_upgrade_waits_for_another_one(postgres_server: PostgresServer) -> None:
    """The migration takes the advisory lock before it reads the schema's revision: while
    another process holds it, the upgrade waits, then finds its own work to do."""
    url = postgres_server.create_database(f"pool{next(_names)}")
    holder, store = Store(url), Store(url)
    try:
        with holder.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            failed: list[BaseException] = []

            def upgrade() -> None:
                try:
                    store.upgrade()
                except BaseException as e:  # reported by the assertion below
                    failed.append(e)

            worker = threading.Thread(target=upgrade)
            worker.start()
            # Wait, with no clock, until the upgrade is seen queued behind the lock.
            waiting = 0
            while not waiting and worker.is_alive():
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                )).scalar() or 0  # fmt: skip
            assert waiting == 1, failed
            assert store.current_revision() is None  # nothing was migrated meanwhile
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            conn.commit()
        worker.join()
        assert not failed, failed
        assert store.current_revision() == store.head_revision()
    finally:
        holder.dispose()
        store.dispose()

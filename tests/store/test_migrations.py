"""Migrations build the schema from empty, and agree with the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.models import Base


def test_models_and_migrations_agree(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_upgrade_from_empty_reaches_head(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'new' / 'db.sqlite'}")
    assert store.current_revision() is None
    store.upgrade()
    assert store.current_revision() == store.head_revision()
    assert {"agencies", "persons", "audit_log", "users"} <= set(
        inspect(store.engine).get_table_names()
    )
    store.upgrade()  # running again is harmless
    store.dispose()


def test_settings_read_the_environment(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    mp = monkeypatch
    assert isinstance(mp, pytest.MonkeyPatch)
    mp.setenv("SCAMNET_DATA_DIR", str(tmp_path))
    mp.delenv("SCAMNET_DATABASE_URL", raising=False)
    settings = Settings.from_env()
    assert settings.database_url == f"sqlite:///{(tmp_path / 'scamnet.db').resolve()}"
    mp.setenv("SCAMNET_DATABASE_URL", "postgresql://u@h/db")
    assert Settings.from_env().database_url == "postgresql://u@h/db"

"""Registered users for CLI tests: the CLI acts only for users that exist.

``conftest`` sets ``SCAMNET_USER`` to ``TESTER``; a test that runs commands against a
data directory calls ``register(data_dir)`` first (idempotent), and may add users with
fewer roles to show a refusal.

Registering into a new directory's SQLite store copies a store that was migrated and
given the same user once per process: the migrations and the password hash cost over a
second each time, the copy a few milliseconds, and the copy holds the same schema,
agencies and user (only the hash's salt and the creation time differ).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from scamnet.core.access import UserRole
from scamnet.core.reference import reference_agencies
from scamnet.settings import Settings, sqlite_url
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.users import UserRepository

TESTER = "tester"
PASSWORD = "a-long-test-passphrase"
EVERY_ROLE = frozenset(UserRole)


def register(
    data_dir: Path | Store,
    name: str = TESTER,
    agency: str = "CN-YN-DH",
    roles: frozenset[UserRole] = EVERY_ROLE,
) -> None:
    """Make ``name`` a registered, active user of ``agency`` with ``roles``."""
    if isinstance(data_dir, Store):
        store, owned = data_dir, False
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        url = Settings.from_env(data_dir).database_url
        database = data_dir / "scamnet.db"
        if url == sqlite_url(database) and not database.exists():
            shutil.copyfile(_registered(name, agency, roles), database)
        store, owned = Store(url), True
    try:
        if store.current_revision() != store.head_revision():
            store.upgrade()
        with store.session() as session:
            AgencyRepository(session).ensure(reference_agencies())
            users = UserRepository(session)
            if users.get(name) is None:
                users.create(name, PASSWORD, roles, agency_code=agency)
    finally:
        if owned:
            store.dispose()


_TEMPLATES: dict[tuple[str, str, frozenset[UserRole]], Path] = {}


def _registered(name: str, agency: str, roles: frozenset[UserRole]) -> Path:
    """A SQLite store registered from empty with this user, made once per process."""
    key = (name, agency, roles)
    if key not in _TEMPLATES:
        root = Path(tempfile.mkdtemp(prefix="scamnet-registered-"))
        atexit.register(shutil.rmtree, root, True)
        store = Store(sqlite_url(root / "scamnet.db"))
        register(store, name, agency, roles)
        store.dispose()
        # Closing the last connection folds the WAL into the file: the file is the store.
        assert not (root / "scamnet.db-wal").exists()
        _TEMPLATES[key] = root / "scamnet.db"
    return _TEMPLATES[key]

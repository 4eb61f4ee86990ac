"""Registered users for CLI tests: the CLI acts only for users that exist.

``conftest`` sets ``SCAMNET_USER`` to ``TESTER``; a test that runs commands against a
data directory calls ``register(data_dir)`` first (idempotent), and may add users with
fewer roles to show a refusal.
"""

from __future__ import annotations

from pathlib import Path

from scamnet.core.access import UserRole
from scamnet.core.reference import reference_agencies
from scamnet.settings import Settings
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
        store, owned = Store(Settings.from_env(data_dir).database_url), True
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

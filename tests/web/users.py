"""The browser tests' users: one per role, all acting for the Dehong bureau."""

from __future__ import annotations

from pathlib import Path

PASSWORD = "correct horse battery staple"
AGENCY = "CN-YN-DH"
ROLES = {
    "admin1": "admin",
    "super1": "supervisor",
    "inv1": "investigator",
    "ana1": "analyst",
    "liaison1": "liaison",
    "viewer1": "viewer",
}


def register(data_dir: Path) -> None:
    """Create the users in the world's store."""
    from scamnet.core.access import UserRole
    from scamnet.settings import Settings
    from scamnet.store import Store
    from scamnet.store.users import UserRepository

    store = Store(Settings.from_env(data_dir).database_url)
    with store.session() as session:
        repo = UserRepository(session)
        for name, role in ROLES.items():
            repo.create(name, PASSWORD, UserRole(role), agency_code=AGENCY)
    store.dispose()

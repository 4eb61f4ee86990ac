"""An API over a copy of the tiny demo world, with users of every role and two agencies."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scamnet.api.app import create_app
from scamnet.core.access import UserRole
from scamnet.settings import Settings
from scamnet.store import Store
from tests.support.users import PASSWORD, register

# name → (agency, roles). "lc.investigator" works for another bureau (Lincang).
USERS = {
    "admin": ("CN-YN-DH", frozenset({UserRole.ADMIN})),
    "viewer": ("CN-YN-DH", frozenset({UserRole.VIEWER})),
    "analyst": ("CN-YN-DH", frozenset({UserRole.ANALYST})),
    "investigator": ("CN-YN-DH", frozenset({UserRole.INVESTIGATOR})),
    "liaison": ("CN-YN-DH", frozenset({UserRole.LIAISON})),
    "supervisor": ("CN-YN-DH", frozenset({UserRole.SUPERVISOR})),
    "lc.investigator": ("CN-YN-LC", frozenset({UserRole.INVESTIGATOR, UserRole.SUPERVISOR})),
}


@dataclass
class Api:
    client: TestClient
    store: Store
    root: Path
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


@pytest.fixture(scope="module")
def api(_pristine_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    # Every test logs in from the same test client: lift the per-client login limit
    # (test_access shows the limit itself, with it set back).
    before = os.environ.get("SCAMNET_LOGIN_ATTEMPTS")
    os.environ["SCAMNET_LOGIN_ATTEMPTS"] = "100000"
    root = tmp_path_factory.mktemp("api") / "demo"
    shutil.copytree(_pristine_demo, root)
    # The public check's short memory is off: these tests read back what they change
    # (tests/citizens/test_check_cache.py shows the memory itself).
    settings = replace(Settings.from_env(root), check_cache_s=0)
    store = Store(settings.database_url)
    for name, (agency, roles) in USERS.items():
        register(store, name, agency, roles)
    client = TestClient(create_app(store, root, settings=settings))
    tokens = {}
    for name in USERS:
        r = client.post("/v1/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        tokens[name] = r.json()["token"]
    yield Api(client, store, root, tokens)
    store.dispose()
    if before is None:
        os.environ.pop("SCAMNET_LOGIN_ATTEMPTS", None)
    else:
        os.environ["SCAMNET_LOGIN_ATTEMPTS"] = before

"""The HTTP API skeleton."""

from __future__ import annotations

from fastapi.testclient import TestClient

from scamnet.api.app import create_app
from scamnet.core.reference import reference_agencies
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository


def test_health_and_agencies(store: Store) -> None:
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
    client = TestClient(create_app(store))
    health = client.get("/api/health").json()
    assert health["status"] == "ok"
    assert health["schema_revision"] == store.head_revision()
    codes = [a["code"] for a in client.get("/api/agencies").json()]
    assert codes[0] == "CN-MPS"
    assert "MM-LAUKKAI" in codes

"""Fixtures of the exchange tests: ``sides``, Dehong and Muse registered with each other
(``partners.make_pair``), and ``client``, Dehong's API in process, answering errors as
a partner would see them (no server exception re-raised)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scamnet.api.app import create_app
from tests.exchange.partners import make_pair
from tests.exchange.test_bundles import Side


@pytest.fixture
def sides(tmp_path: Path) -> tuple[Side, Side]:
    return make_pair(tmp_path)


@pytest.fixture
def client(sides: tuple[Side, Side], tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(sides[0].store, tmp_path / "dh"), raise_server_exceptions=False
    ) as c:
        yield c

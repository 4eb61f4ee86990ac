"""The API's JSON encoder gives what FastAPI's own would, for every type use cases return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from enum import Enum
from typing import Any

from fastapi.encoders import jsonable_encoder
from hypothesis import given
from hypothesis import strategies as st

from scamnet.api.paging import as_json


class Level(Enum):
    LOW = "low"
    HIGH = 2


@dataclass(frozen=True, slots=True)
class Inner:
    day: date
    amount: Decimal
    level: Level


@dataclass
class Outer:
    name: str
    items: list[Any]
    inner: Inner
    extra: dict[str, Any]
    pair: tuple[int, str] = (1, "2")
    tags: frozenset[int] = frozenset({3})


DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=3)
TIMES = st.datetimes(timezones=st.just(UTC)) | st.dates()
LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
          | DECIMALS | TIMES | st.sampled_from(Level))  # fmt: skip
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        | st.builds(Inner, st.dates(), DECIMALS, st.sampled_from(Level))
    ),
    max_leaves=10,
)


@given(VALUES)
def test_as_json_matches_fastapis_encoder(value: Any) -> None:
    outer = Outer("n", [value], Inner(date(2023, 1, 1), Decimal("1.50"), Level.HIGH), {"k": value})
    assert as_json(outer) == jsonable_encoder(outer)
    assert as_json(value) == jsonable_encoder(value)

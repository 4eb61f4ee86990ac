"""The API's JSON encoder gives what FastAPI's own would, for every type use cases return."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from fastapi.encoders import jsonable_encoder
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from scamnet.api.paging import as_json, json_response
from scamnet.detect.triage import AlertPage
from scamnet.store.alerts import AlertView


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


ANY: TypeAdapter[Any] = TypeAdapter(Any)
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


@given(VALUES)
@example([2**70, float("inf")])  # orjson refuses the integer; the fallback keeps the null
def test_json_response_sends_what_as_json_gives(value: Any) -> None:
    outer = Outer("n", [value], Inner(date(2023, 1, 1), Decimal("1.50"), Level.HIGH), {"k": value})
    # What FastAPI sent for a route returning ``as_json``'s value (pydantic's encoder:
    # an infinite float becomes null there too).
    for sent in (outer, value):
        before = ANY.dump_json(as_json(sent))
        assert json.loads(json_response(sent).body) == json.loads(before)


def test_json_response_encodes_an_alert_page_as_as_json_does() -> None:
    at = datetime(2026, 11, 30, 14, 0, 1, 250, tzinfo=UTC)
    page = AlertPage(2, [AlertView(1, "subscriber", "+8613900000001", 0.125, "1", "gbm", "w",
                                   "calls many numbers", at, None, "ana"),
                         AlertView(2, "url", "http://x.test/é", 1.0, "0", "gbm", "w", "",
                                   at.replace(microsecond=0), "confirmed", None)])  # fmt: skip
    answer = json_response(page)
    assert answer.media_type == "application/json"
    assert json.loads(answer.body) == as_json(page)
    assert as_json(page)["alerts"][0]["created_at"] == "2026-11-30T14:00:01.000250+00:00"


def test_a_value_orjson_refuses_goes_through_pydantics_encoder() -> None:
    huge = {"n": 2**70, "when": date(2023, 1, 1), "inf": float("inf")}
    assert json.loads(json_response(huge).body) == {"n": 2**70, "when": "2023-01-01", "inf": None}

"""Pages, sorting and JSON for list resources."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any

import orjson
from fastapi import HTTPException, Query
from fastapi.encoders import jsonable_encoder
from pydantic import TypeAdapter
from starlette.responses import Response

MAX_PAGE = 500

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Items skipped.")]
Sort = Annotated[
    str | None,
    Query(max_length=64, description="A field to sort by; prefix with '-' for descending."),
]


def as_json(value: Any) -> Any:
    """Dataclasses, dates, decimals and enums as JSON values.

    The same values as FastAPI's ``jsonable_encoder`` for the types use cases return,
    several times faster: that encoder deep-copies every dataclass (``asdict``) and
    then walks the copy, which was 60% of an authenticated alert list's CPU time.
    Anything else is left to it.
    """
    kind = type(value)
    if kind in _PLAIN or value is None:
        return value
    if kind in (list, tuple, set, frozenset):
        return [as_json(v) for v in value]
    if kind is dict:
        return {as_json(k): as_json(v) for k, v in value.items()}
    names = _fields(kind)  # type: ignore[arg-type]  # a class is hashable
    if names is not None:
        return {n: as_json(getattr(value, n)) for n in names}
    if isinstance(value, Enum):
        return as_json(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    return jsonable_encoder(value)


_PLAIN = frozenset({str, int, float, bool})
_ORJSON = orjson.OPT_NON_STR_KEYS
_PYDANTIC: TypeAdapter[Any] = TypeAdapter(Any)


def json_response(value: Any) -> Response:
    """``value`` sent as the JSON ``as_json`` gives, encoded by orjson in one pass.

    orjson walks dataclasses, datetimes and enums itself, in C (what it cannot encode,
    such as a Decimal or a set, it hands to ``as_json``). For a page of 50 alerts that
    replaces ``as_json``'s copy and FastAPI's own validation and encoding of it (about a
    tenth of an authenticated list's CPU time). A value orjson refuses as a whole (an
    integer past 64 bits) is encoded as FastAPI did before: pydantic's encoder over
    ``as_json``'s value (an infinite float is null in both).
    ``tests/api/test_json.py`` holds both encoders to the same JSON.
    """
    return Response(json_body(value), media_type="application/json")


def json_body(value: Any) -> bytes:
    """The bytes `json_response` sends for ``value``."""
    try:
        return orjson.dumps(value, default=_as_json_leaf, option=_ORJSON)
    except orjson.JSONEncodeError:
        return _PYDANTIC.dump_json(as_json(value))


def _as_json_leaf(value: Any) -> Any:
    encoded = as_json(value)
    if type(encoded) is type(value):  # nothing gained: let orjson say it cannot
        raise TypeError(f"cannot encode {type(value).__name__}")
    return encoded


@cache
def _fields(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names (computed once per class), or None for other types."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


def page(items: Sequence[Any], limit: int, offset: int, sort: str | None = None,
         fields: Sequence[str] = ()) -> dict[str, Any]:  # fmt: skip
    """One page of ``items`` (as JSON), sorted by one of ``fields`` when asked."""
    rows = [as_json(i) for i in items]
    if sort:
        key = sort.removeprefix("-")
        if key not in fields:
            raise HTTPException(422, f"sort by one of: {', '.join(fields) or 'nothing'}")
        rows.sort(key=lambda r: (r.get(key) is None, r.get(key)), reverse=sort.startswith("-"))
    return {"total": len(rows), "limit": limit, "offset": offset,
            "items": rows[offset : offset + limit]}  # fmt: skip

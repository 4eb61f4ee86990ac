"""Pages, sorting and JSON for list resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import HTTPException, Query
from fastapi.encoders import jsonable_encoder

MAX_PAGE = 500

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Items skipped.")]
Sort = Annotated[
    str | None,
    Query(max_length=64, description="A field to sort by; prefix with '-' for descending."),
]


def as_json(value: Any) -> Any:
    """Dataclasses, dates, decimals and enums as JSON values."""
    return jsonable_encoder(value)


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

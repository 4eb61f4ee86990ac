"""Use cases' results as JSON values, as the CLI's ``--json`` prints them."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (the CLI's ``--json`` and the jobs' results alike)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    table = getattr(value, "__table__", None)
    if table is not None:  # a stored row a view still carries: its columns
        return {c.name: plain(getattr(value, c.key, None)) for c in table.columns}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | Path):
        return str(value)
    return value

"""The handling code of a stored record, and the ceiling an export applies.

Every export reads a record's code through :func:`code_of` only, so that the one
place to change when the store gives a record kind its own ``handling`` column is
here: a row (or mapping) that has one is read; one that has none gets
:data:`~scamnet.core.handling.DEFAULT_HANDLING`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from scamnet.core.handling import DEFAULT_HANDLING, HandlingCode, parse_handling

T = TypeVar("T")


def code_of(record: object) -> HandlingCode:
    """The handling code of ``record``: its ``handling`` attribute or key, or the default."""
    value = (
        record.get("handling") if isinstance(record, Mapping) else getattr(record, "handling", None)
    )
    if value is None or value == "":
        return DEFAULT_HANDLING
    return value if isinstance(value, HandlingCode) else parse_handling(str(value))


@dataclass(slots=True)
class Admitted(Generic[T]):
    """What passed a ceiling, and how many records it left out."""

    kept: list[T] = field(default_factory=list)
    left_out: int = 0


def admit(records: Iterable[T], ceiling: HandlingCode) -> Admitted[T]:
    """The records whose code is within ``ceiling``, in order; the others are counted."""
    out: Admitted[T] = Admitted()
    for record in records:
        if code_of(record).within(ceiling):
            out.kept.append(record)
        else:
            out.left_out += 1
    return out

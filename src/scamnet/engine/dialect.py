"""One SQL text for every engine: analytics are written in DuckDB's dialect and
rendered for the others with SQLGlot, the way Splink renders its pipeline.

SQLGlot translates syntax (``x::DOUBLE``, ``SEMI JOIN``, ``regexp_matches``,
``unnest``, quoting, backslashes in literals). A few functions keep their name
but not their meaning across engines; :func:`render` rewrites those so that a
query gives the same rows on DuckDB and on Spark:

- ``timezone(zone, ts)``: DuckDB turns an instant into local wall-clock time;
  Spark has no such function and spells it ``from_utc_timestamp(ts, zone)``
  (its session time zone is UTC, see the Spark engine).
- ``epoch(ts)``: DuckDB gives seconds with their fraction (a DOUBLE); SQLGlot's
  ``unix_timestamp`` would drop the fraction, so microseconds are divided instead.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

SOURCE_DIALECT = "duckdb"


def _spark_fixes(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and node.name.lower() == "timezone":
        zone, ts = node.expressions
        return exp.Anonymous(this="from_utc_timestamp", expressions=[ts, zone])
    if isinstance(node, exp.ConvertTimezone) and node.args.get("source_tz") is None:
        # Some SQLGlot versions parse DuckDB's timezone() into this node.
        return exp.Anonymous(
            this="from_utc_timestamp", expressions=[node.args["timestamp"], node.args["target_tz"]]
        )
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Anonymous(this="unix_micros", expressions=[node.this])
        seconds = exp.Div(this=exp.cast(micros, "DOUBLE"), expression=exp.Literal.number(1_000_000))
        return exp.Paren(this=seconds)
    return node


@lru_cache(maxsize=512)
def render(query: str, dialect: str) -> str:
    """``query``, written in DuckDB's SQL, in the SQL of ``dialect`` (``duckdb``, ``spark``)."""
    if dialect == SOURCE_DIALECT:
        return query
    trees = sqlglot.parse(query, read=SOURCE_DIALECT)
    if len(trees) != 1 or trees[0] is None:
        raise ValueError("one SQL statement at a time")
    tree = trees[0]
    if dialect == "spark":
        tree = tree.transform(_spark_fixes)
    return tree.sql(dialect=dialect)

"""The DuckDB engine: embedded, vectorised, out-of-core."""

from scamnet.engine.duckdb.engine import DuckDBEngine

__all__ = ["DuckDBEngine"]

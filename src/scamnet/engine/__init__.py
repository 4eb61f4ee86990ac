"""Analytics engines: one small base (``base.py``) and one subpackage per backend.

DuckDB is the embedded default; Spark comes as the ``[spark]`` extra.
"""

from scamnet.engine.base import AnalyticsEngine, Relation, open_engine

__all__ = ["AnalyticsEngine", "Relation", "open_engine"]

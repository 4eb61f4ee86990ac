"""The relational store: SQLAlchemy models, repositories and Alembic migrations.

SQLite is the embedded default; PostgreSQL (``pip install scamnet[postgres]``) is
the production database. The same code and the same tests run on both.
"""

from scamnet.store.database import Store

__all__ = ["Store"]

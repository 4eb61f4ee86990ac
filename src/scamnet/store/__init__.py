"""The relational store: SQLAlchemy models, repositories and Alembic migrations.

SQLite is the embedded default; PostgreSQL (``pip install scamnet[postgres]``) is
the production database. The same code and the same tests run on both.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scamnet.store.database import Store
else:

    def __getattr__(name: str) -> object:
        # Loaded on first use: importing a light module of this package
        # (`scamnet.store.lite`, `scamnet.store.revision`) must not import SQLAlchemy.
        if name == "Store":
            from scamnet.store.database import Store

            return Store
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Store"]

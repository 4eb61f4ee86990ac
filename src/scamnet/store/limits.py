"""How long a caller waits for the store's locks, and how it recognises a busy store.

The HTTP API must not hold a worker for SQLite's default five-second busy wait:
it waits briefly, and a store still locked then is reported as busy (503 with
Retry-After), never as an error.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from scamnet.store.database import Store

# What the store raises when it is locked or unreachable: a temporary condition.
StoreUnavailable = OperationalError


def wait_briefly_for_locks(store: Store, milliseconds: int) -> None:
    """SQLite waits at most ``milliseconds`` for the write lock on new connections."""
    if store.dialect != "sqlite":
        return  # PostgreSQL locks rows, not the database: writers do not queue like this

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
        cursor.close()

    event.listen(store.engine, "connect", on_connect)
    store.engine.dispose()  # pooled connections were opened with the longer wait


def is_locked(exc: BaseException) -> bool:
    """True when ``exc`` says the store was locked (not down, not misconfigured)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(w in text for w in ("locked", "busy", "could not obtain lock"))

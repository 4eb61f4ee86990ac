"""The newest schema revision this version knows, read from the migration files alone.

Kept apart from `scamnet.store.database` so that the light read path
(`scamnet.store.lite`) can check a store's schema without importing SQLAlchemy.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).with_name("migrations")


@cache
def newest_revision() -> str:
    """The head of the (linear) migration chain, read from the files without Alembic."""
    found: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        body = path.read_text(encoding="utf-8")
        rev = re.search(r'^revision = "([^"]+)"', body, re.MULTILINE)
        down = re.search(r'^down_revision = (?:"([^"]+)"|None)', body, re.MULTILINE)
        if rev:
            found[rev.group(1)] = down.group(1) if down else None
    heads = set(found) - {d for d in found.values() if d}
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()

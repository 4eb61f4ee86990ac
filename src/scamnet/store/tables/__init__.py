"""The store's tables, one module per noun; importing the package registers them all
with the metadata (``scamnet.store.models`` holds the core ones and imports this)."""

from scamnet.store.tables import (  # noqa: F401  registered on import
    access,
    cases,
    custody,
    dissuasion,
    exchange,
    jobs,
    network,
    operations,
    publications,
    resolution,
    transfers,
)

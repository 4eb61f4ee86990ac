"""Where the data lives, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "./scamnet-data"


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings.

    Attributes:
        data_dir: ``SCAMNET_DATA_DIR`` (default ``./scamnet-data``): the SQLite file,
            the record lake, rejects and models live under it.
        database_url: ``SCAMNET_DATABASE_URL``; when unset, SQLite in ``data_dir``.
    """

    data_dir: Path
    database_url: str

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> Settings:
        root = data_dir or Path(os.environ.get("SCAMNET_DATA_DIR", DEFAULT_DATA_DIR))
        url = os.environ.get("SCAMNET_DATABASE_URL") or sqlite_url(root / "scamnet.db")
        return cls(data_dir=root, database_url=url)

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"

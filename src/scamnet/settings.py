"""Where the data lives, read from the environment: the one place that spells out
the data directory's layout. Every module asks :class:`Settings` for its paths."""

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
            the record lake, rejects, models and keys live under it.
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
        """Day-partitioned Parquet records (calls, messages, transfers)."""
        return self.data_dir / "lake"

    @property
    def rejects_dir(self) -> Path:
        """Rows refused at ingest, with their reasons."""
        return self.data_dir / "rejects"

    @property
    def tmp_dir(self) -> Path:
        """Scratch space for work in progress (ingest batches before they commit)."""
        return self.data_dir / "tmp"

    @property
    def models_dir(self) -> Path:
        """Saved detector models, one directory per kind and version."""
        return self.data_dir / "models"

    @property
    def er_model_path(self) -> Path:
        """The trained entity-resolution (Splink) model."""
        return self.models_dir / "er" / "model.json"

    @property
    def keys_dir(self) -> Path:
        """The instance's signing keys (exchange identity, model signing)."""
        return self.data_dir / "keys"

    @property
    def model_signing_key(self) -> Path:
        return self.keys_dir / "model-signing.key"

    @property
    def features_dir(self) -> Path:
        """Computed subscriber features, cached by day."""
        return self.data_dir / "features"

    @property
    def network_dir(self) -> Path:
        """The last network run's outputs (its edges, for exports)."""
        return self.data_dir / "network"

    @property
    def network_edges_path(self) -> Path:
        return self.network_dir / "edges.parquet"

    @property
    def audit_checkpoints_path(self) -> Path:
        """Signed heads of the audit chain, kept outside the database."""
        return self.data_dir / "audit" / "checkpoints.jsonl"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"

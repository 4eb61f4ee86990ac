"""Where the data lives, read from the environment: the one place that spells out
the data directory's layout. Every module asks :class:`Settings` for its paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "./scamnet-data"
DEFAULT_SPARK_MASTER = "local[*]"


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings.

    Attributes:
        data_dir: ``SCAMNET_DATA_DIR`` (default ``./scamnet-data``): the SQLite file,
            the record lake, rejects, models and keys live under it.
        database_url: ``SCAMNET_DATABASE_URL``; when unset, SQLite in ``data_dir``.
        engine: ``SCAMNET_ENGINE``, the analytics engine of every command that
            computes (features, detection, resolution, networks): ``duckdb``
            (default, embedded) or ``spark`` (the ``[spark]`` extra).
        spark_master: ``SCAMNET_SPARK_MASTER``, where Spark runs when it is the
            engine: ``local[*]`` (default, this machine's cores), ``local[2]``,
            ``spark://host:7077``, ``k8s://https://…``, ``yarn``.
        lock_wait_s: ``SCAMNET_LOCK_WAIT_S`` (default 600): how long a second ingest
            of the same kind waits for the first before it is refused; 0 refuses at once.
        future_tolerance_s: ``SCAMNET_FUTURE_TOLERANCE_S`` (default 86400): how far
            past the ingest's own clock a record's time may lie (clock skew between
            a source and this host) before the row is rejected.
        check_cache_s: ``SCAMNET_CHECK_CACHE_S`` (default 30): how long a process of
            ``scamnet serve`` remembers an answer of the citizens' public check;
            0 asks the store every time.
        job_files_days: ``SCAMNET_JOB_FILES_DAYS`` (default 7): how long the files of a
            finished export job stay for download; then the job worker deletes them
            (exports hold personal data) and a download answers 410 Gone.
        compile_trees: ``SCAMNET_COMPILE_TREES`` (default 1): a subscriber or account
            model is saved with its trees compiled to machine code (~45 s once for the
            subscriber model; its scoring is then ~2x faster in every later process);
            0 saves it without, and it scores on the numba kernel.
    """

    data_dir: Path
    database_url: str
    engine: str = "duckdb"
    spark_master: str = DEFAULT_SPARK_MASTER
    lock_wait_s: float = 600.0
    future_tolerance_s: int = 86_400
    check_cache_s: float = 30.0
    job_files_days: float = 7.0
    compile_trees: bool = True

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> Settings:
        root = data_dir or Path(os.environ.get("SCAMNET_DATA_DIR", DEFAULT_DATA_DIR))
        url = os.environ.get("SCAMNET_DATABASE_URL") or sqlite_url(root / "scamnet.db")
        # An unknown engine name is kept: opening the engine refuses it with the choices.
        engine = (os.environ.get("SCAMNET_ENGINE") or "duckdb").strip().lower()
        master = os.environ.get("SCAMNET_SPARK_MASTER") or DEFAULT_SPARK_MASTER
        return cls(
            data_dir=root,
            database_url=url,
            engine=engine,
            spark_master=master,
            lock_wait_s=_number("SCAMNET_LOCK_WAIT_S", 600.0),
            future_tolerance_s=int(_number("SCAMNET_FUTURE_TOLERANCE_S", 86_400)),
            check_cache_s=_number("SCAMNET_CHECK_CACHE_S", 30.0),
            job_files_days=_number("SCAMNET_JOB_FILES_DAYS", 7.0, "days"),
            compile_trees=os.environ.get("SCAMNET_COMPILE_TREES", "1").strip().lower()
            not in ("0", "false", "no", "off"),
        )

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
    def locks_dir(self) -> Path:
        """Writer locks: one file per kind, holding the writing process's pid."""
        return self.data_dir / "locks"

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


def _number(name: str, default: float, unit: str = "seconds") -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of {unit}, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"

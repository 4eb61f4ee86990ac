"""The analytics-engine interface.

It hands out :class:`Relation` handles that name data kept inside the engine,
so analytics stay in the engine and only pages of rows, or Arrow tables at the
edge, cross into Python. No pandas, DuckDB or Spark type appears here.
"""

from __future__ import annotations

import importlib
import itertools
import re
import shutil
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from scamnet.lake import SCHEMAS, RecordKind, RecordLake

if TYPE_CHECKING:
    from scamnet.settings import Settings

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class Relation:
    """A named table or view living inside an engine."""

    name: str

    def __post_init__(self) -> None:
        # Relation names are spliced into SQL, so only plain identifiers are allowed.
        if not _IDENT.match(self.name):
            raise ValueError(f"{self.name!r} is not a plain SQL identifier")


class AnalyticsEngine(ABC):
    """Run SQL over the lake. Subclasses implement the few methods marked abstract."""

    name: str = "abstract"

    def __init__(self) -> None:
        self._counter = itertools.count()

    # --- what each backend implements -----------------------------------------
    @abstractmethod
    def _register_files(self, view: str, files: list[str], drop_day: bool) -> None:
        """Create ``view`` over Parquet files under hive ``day=`` directories; ``drop_day``
        leaves the partition column out (the records carry their own time)."""

    @abstractmethod
    def _register_arrow(self, view: str, table: pa.Table) -> None:
        """Create ``view`` over an in-memory Arrow table."""

    @abstractmethod
    def _create_view(self, view: str, query: str) -> None:
        """Create (or replace) ``view`` as the result of ``query``."""

    @abstractmethod
    def _create_table(self, table: str, query: str) -> None:
        """Compute ``query`` once and keep the result (a temporary table or a cache)."""

    @abstractmethod
    def to_arrow(self, rel: Relation) -> pa.Table:
        """Bring a relation into Python as an Arrow table (only at the edge)."""

    @abstractmethod
    def write_parquet(self, rel: Relation, path: Path) -> None:
        """Write a relation to a Parquet file without passing it through Python."""

    @abstractmethod
    def write_parquet_dir(self, rel: Relation, directory: Path) -> None:
        """Replace ``directory`` with the Parquet files of a relation, as many as the
        engine likes to write in parallel (``*.parquet``; nothing else is data)."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine's resources."""

    # --- entity resolution: Splink runs on the same backend ---------------------
    @abstractmethod
    def splink(self, table: pa.Table) -> tuple[Any, Any]:
        """A fresh Splink database API on this engine, and ``table`` as its input."""

    def splink_table(self, table: pa.Table) -> Any:
        """``table`` as a further input of a Splink linker on this engine."""
        return table

    @abstractmethod
    def splink_rows(self, frame: Any) -> list[dict[str, Any]]:
        """The rows of a Splink result frame, as dictionaries."""

    @staticmethod
    def _swap_in(staging: Path, directory: Path) -> None:
        """Put a fully written ``staging`` directory in the place of ``directory``."""
        old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex}"
        if directory.exists():
            directory.rename(old)
        staging.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    # --- shared logic -----------------------------------------------------------
    def attach_lake(self, lake: RecordLake) -> None:
        """Expose each record kind of ``lake`` as a view named after it (``calls`` …).

        Each view reads the kind's committed files (its snapshot now), never a
        directory listing: a batch being written, or left half-written by a killed
        ingest, is invisible.
        """
        for kind in RecordKind:
            self.register_parquet(kind.value, lake.files(kind), SCHEMAS[kind], drop_day=True)

    def register_parquet(
        self, view: str, files: list[Path], schema: pa.Schema, drop_day: bool = False
    ) -> Relation:
        """A view over ``files``; with no files, an empty view of ``schema``."""
        if files:
            self._register_files(view, [str(f) for f in files], drop_day)
        else:  # no data yet still answers queries, with zero rows
            self._register_arrow(view, schema.empty_table())
        return Relation(view)

    def register_arrow(self, view: str, table: pa.Table) -> Relation:
        """A view over an in-memory Arrow table (small reference data)."""
        self._register_arrow(view, table)
        return Relation(view)

    def sql(self, query: str) -> Relation:
        """Define a relation by a query; nothing is computed until it is read."""
        rel = Relation(f"rel_{next(self._counter)}")
        self._create_view(rel.name, query)
        return rel

    def materialize(self, query: str) -> Relation:
        """Compute a relation now and keep it, for results that several queries read."""
        rel = Relation(f"tab_{next(self._counter)}")
        self._create_table(rel.name, query)
        return rel

    def table(self, name: str) -> Relation:
        """A handle on an existing view or table."""
        return Relation(name)

    def fetch(self, rel: Relation, limit: int | None = None) -> list[dict[str, Any]]:
        """Rows of ``rel`` as dictionaries, at most ``limit`` of them."""
        query = f"SELECT * FROM {rel.name}" + (f" LIMIT {int(limit)}" if limit is not None else "")
        rows: list[dict[str, Any]] = self.to_arrow(self.sql(query)).to_pylist()
        return rows

    def count(self, rel: Relation) -> int:
        rows = self.fetch(self.sql(f"SELECT count(*) AS n FROM {rel.name}"))
        return int(rows[0]["n"])

    def __enter__(self) -> AnalyticsEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


BACKENDS = {
    "duckdb": ("scamnet.engine.duckdb", "DuckDBEngine", "duckdb"),
    "spark": ("scamnet.engine.spark", "SparkEngine", "spark"),
}


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here; the message says why, in one line."""


class UnknownEngine(EngineUnavailable, ValueError):
    """No engine has that name."""


class MissingExtra(EngineUnavailable):
    """The engine needs an optional dependency that is not installed."""


def open_engine(choice: str | Settings = "duckdb", **options: Any) -> AnalyticsEngine:
    """Open an engine by name, or the one the settings choose (``SCAMNET_ENGINE``).

    Heavy backends are imported only when asked for.
    """
    name = choice if isinstance(choice, str) else choice.engine
    if not isinstance(choice, str) and name == "spark":
        options = {"master": choice.spark_master, **options}
    try:
        module_name, cls_name, extra = BACKENDS[name]
    except KeyError:
        raise UnknownEngine(
            f"unknown engine {name!r} (SCAMNET_ENGINE): one of {', '.join(sorted(BACKENDS))}"
        ) from None
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise MissingExtra(
            f"the {name} engine needs: pip install 'scamnet[{extra}]' ({exc.name} is missing)"
        ) from None
    engine: AnalyticsEngine = getattr(module, cls_name)(**options)
    return engine

"""DuckDB implementation of the analytics-engine interface."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from scamnet.engine.base import AnalyticsEngine, Relation


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine(AnalyticsEngine):
    name = "duckdb"

    def __init__(
        self,
        database: str = ":memory:",
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> None:
        super().__init__()
        self.con = duckdb.connect(database)
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET TimeZone = 'UTC'")
        # Results are keyed, never positional: letting go of row order saves memory.
        self.con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            self.con.execute(f"SET memory_limit = {_quote(memory_limit)}")
        self._splink_cons: list[duckdb.DuckDBPyConnection] = []

    def _register_files(self, view: str, files: list[str], drop_day: bool) -> None:
        listing = "[" + ", ".join(_quote(f) for f in files) + "]"
        columns = "* EXCLUDE (day)" if drop_day else "*"
        self.con.execute(
            f"CREATE OR REPLACE VIEW {view} AS SELECT {columns} "
            f"FROM read_parquet({listing}, hive_partitioning = true)"
        )

    def _register_arrow(self, view: str, table: pa.Table) -> None:
        self.con.register(f"{view}_arrow", table)
        self.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {view}_arrow")

    def _create_view(self, view: str, query: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {query}")

    def _create_table(self, table: str, query: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {query}")

    def to_arrow(self, rel: Relation) -> pa.Table:
        return self.con.sql(f"SELECT * FROM {rel.name}").to_arrow_table()

    def write_parquet(self, rel: Relation, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con.execute(
            f"COPY (SELECT * FROM {rel.name}) TO {_quote(str(path))} "
            "(FORMAT parquet, COMPRESSION snappy)"
        )

    def write_parquet_dir(self, rel: Relation, directory: Path) -> None:
        staging = directory.parent / f".{directory.name}.{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        try:
            self.write_parquet(rel, staging / "part.parquet")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._swap_in(staging, directory)

    def splink(self, table: pa.Table) -> tuple[Any, Any]:
        from splink import DuckDBAPI

        # A connection of its own: Splink fills it with tables of its pipeline.
        con = duckdb.connect()
        con.register("records_arrow", table)
        con.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
        con.unregister("records_arrow")
        self._splink_cons.append(con)
        return DuckDBAPI(connection=con), "records"

    def splink_rows(self, frame: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = frame.as_duckdbpyrelation().to_arrow_table().to_pylist()
        return rows

    def close(self) -> None:
        for con in self._splink_cons:
            con.close()
        self.con.close()

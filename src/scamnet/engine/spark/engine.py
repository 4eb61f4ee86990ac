"""Spark implementation of the analytics-engine interface.

Queries arrive in DuckDB's SQL, the one text every engine runs, and are rendered
for Spark by :func:`scamnet.engine.dialect.render`. Each engine works in its own
Spark session (``newSession``): its views cannot collide with another engine's,
yet every engine of a process shares one JVM and one SparkContext. The session
that the first engine starts belongs to it and stops with it.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession

from scamnet.engine.base import AnalyticsEngine, EngineUnavailable, Relation
from scamnet.engine.dialect import render

# What makes Spark compute what DuckDB computes: instants in UTC (so the SQL's
# ``timezone()`` does the local conversion, never the session), Parquet
# timestamps that DuckDB and Arrow read as instants, and errors rather than
# silent NULLs on overflow or a bad cast (ANSI mode, as DuckDB does).
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# Only for a session this engine starts: small local jobs do not need 200 shuffle
# partitions, and a UI per test run is noise. On a cluster, spark-submit's own
# configuration wins (see docs/scale.md).
START_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.memory": "2g",
}


def _hive_root(files: list[str]) -> str:
    """The directory above the ``day=`` directories, which Spark needs to find ``day``."""
    roots = {str(Path(f).parent.parent) for f in files}
    if len(roots) != 1:
        raise ValueError(f"files under several partition roots: {sorted(roots)[:3]}")
    return roots.pop()


class SparkEngine(AnalyticsEngine):
    name = "spark"

    def __init__(
        self,
        master: str = "local[2]",
        app_name: str = "scamnet",
        conf: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        active = SparkSession.getActiveSession()
        self._owned: SparkSession | None = None
        if active is None:
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            builder = SparkSession.builder.master(master).appName(app_name)
            start = {**START_CONF, "spark.jars": similarity_jar()}
            for key, value in {**start, **SESSION_CONF, **(conf or {})}.items():
                builder = builder.config(key, value)
            try:
                active = builder.getOrCreate()
            except Exception as exc:  # no Java, a bad master URL: say so in one line
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise EngineUnavailable(f"cannot start Spark ({master}): {first}") from None
            self._owned = active
        self.spark: SparkSession = active.newSession()
        for key, value in {**SESSION_CONF, **(conf or {})}.items():
            if not key.startswith("spark.sql."):
                continue  # cluster settings belong to the context, fixed at its start
            self.spark.conf.set(key, value)
        self._kept: list[DataFrame] = []
        self._scratch: list[Path] = []
        self._udfs = False

    def _df(self, query: str) -> DataFrame:
        return self.spark.sql(render(query, "spark"))

    def _register_files(self, view: str, files: list[str], drop_day: bool) -> None:
        frame = self.spark.read.option("basePath", _hive_root(files)).parquet(*files)
        if drop_day and "day" in frame.columns:
            frame = frame.drop("day")
        frame.createOrReplaceTempView(view)

    def _register_arrow(self, view: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(view)

    def _create_view(self, view: str, query: str) -> None:
        self._df(query).createOrReplaceTempView(view)

    def _create_table(self, table: str, query: str) -> None:
        # Persisted, not checkpointed: the lineage stays, so a lost executor's
        # share is recomputed on a cluster instead of failing the job.
        frame = self._df(query).persist(StorageLevel.MEMORY_AND_DISK)
        frame.count()
        self._kept.append(frame)
        frame.createOrReplaceTempView(table)

    def to_arrow(self, rel: Relation) -> pa.Table:
        return self.spark.table(rel.name).toArrow()

    def write_parquet(self, rel: Relation, path: Path) -> None:
        # Spark writes directories; one partition gives the one file asked for,
        # and the shuffle before it keeps the work upstream of it parallel.
        staging = path.parent / f".{path.name}.{uuid.uuid4().hex}"
        self.spark.table(rel.name).repartition(1).write.parquet(str(staging))
        (part,) = sorted(staging.glob("part-*.parquet"))
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, path)
        shutil.rmtree(staging)

    def write_parquet_dir(self, rel: Relation, directory: Path) -> None:
        staging = directory.parent / f".{directory.name}.{uuid.uuid4().hex}"
        try:
            self.spark.table(rel.name).write.parquet(str(staging))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for extra in staging.iterdir():  # _SUCCESS and checksum files are Hadoop's, not data
            if not extra.name.endswith(".parquet") or extra.name.startswith("."):
                extra.unlink()
        self._swap_in(staging, directory)

    def splink(self, table: pa.Table) -> tuple[Any, Any]:
        from splink import SparkAPI

        if not self._udfs:
            self._register_similarity()
        api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.spark,
            break_lineage_method="persist",
            register_udfs_automatically=False,
            num_partitions_on_repartition=max(2, self.spark.sparkContext.defaultParallelism),
        )
        return api, self.splink_table(table)

    def splink_table(self, table: pa.Table) -> Any:
        # With its Arrow schema: Spark cannot infer a type from a column of NULLs.
        return self.spark.createDataFrame(table)

    def splink_rows(self, frame: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = frame.as_spark_dataframe().toArrow().to_pylist()
        return rows

    def _register_similarity(self) -> None:
        """Splink's Jaro–Winkler (its Scala UDF jar) under Splink's name for it and
        SQLGlot's, so model SQL rendered from DuckDB's ``jaro_winkler_similarity`` runs."""
        from pyspark.sql.types import DoubleType

        def register() -> None:
            for name in ("jaro_winkler", "jarowinkler_similarity"):
                self.spark.udf.registerJavaFunction(
                    name, "uk.gov.moj.dash.linkage.JaroWinklerSimilarity", DoubleType()
                )

        try:  # a session this engine started has the jar on its class path already
            register()
        except Exception:  # someone else's session: add the jar to it first
            self.spark.sql(f"ADD JAR '{similarity_jar()}'")
            register()
        self._udfs = True

    def close(self) -> None:
        for frame in self._kept:
            frame.unpersist()
        self._kept.clear()
        for view in self.spark.catalog.listTables():
            if view.isTemporary:
                self.spark.catalog.dropTempView(view.name)
        if self._owned is not None:
            self._owned.stop()
            self._owned = None


def similarity_jar() -> str:
    """The jar of Splink's string-similarity functions for this Spark version."""
    from splink.backends.spark import similarity_jar_location

    return str(similarity_jar_location())

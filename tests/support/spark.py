"""One local Spark for the whole test run.

``spark_engine`` starts a real local Spark (``local[2]``, a JVM) once per test
session and keeps it open: every Spark engine a test opens afterwards, directly
or through a CLI command, works in its own session on that same JVM, so the
suite pays the JVM's start once. Without PySpark or Java the Spark tests skip
with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator

import pytest

from scamnet.engine import AnalyticsEngine, open_engine
from tests.conftest import skip_or_fail

# Short jobs on two cores: C1-compiled code is ready sooner than C2's, and the
# tests' jobs are over before C2 would pay off.
TEST_CONF = {
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "spark.sql.shuffle.partitions": "2",
}


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[AnalyticsEngine]:
    if importlib.util.find_spec("pyspark") is None:
        skip_or_fail("PySpark is not installed (pip install -e '.[dev]' brings it)")
    if shutil.which("java") is None:
        skip_or_fail("no Java runtime for Spark (Java 17 or newer)")
    engine = open_engine("spark", master="local[2]", conf=TEST_CONF)
    yield engine
    engine.close()

"""The analytics engine of a command that computes, as the settings choose it
(``SCAMNET_ENGINE``, ``SCAMNET_SPARK_MASTER``), or a one-line error saying why
it cannot run here (an unknown name, the ``[spark]`` extra missing, no Java)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from scamnet.cli.context import fail
from scamnet.engine import AnalyticsEngine, open_engine
from scamnet.engine.base import EngineUnavailable
from scamnet.settings import Settings


@contextmanager
def engine_for(settings: Settings) -> Iterator[AnalyticsEngine]:
    try:
        engine = open_engine(settings)
    except EngineUnavailable as exc:
        raise fail(str(exc), 2) from None  # fail() escapes it: "[spark]" is not markup
    try:
        yield engine
    finally:
        engine.close()

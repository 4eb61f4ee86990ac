"""The simulator runs where POSIX's ``resource`` module does not exist (Windows)."""

from __future__ import annotations

import importlib
import sys

import pytest


def test_the_simulator_imports_and_measures_without_resource(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A None entry in sys.modules makes `import resource` raise ImportError, as on Windows.
    monkeypatch.setitem(sys.modules, "resource", None)
    monkeypatch.delitem(sys.modules, "scamnet.simulate.run", raising=False)
    run = importlib.import_module("scamnet.simulate.run")
    assert run.peak_rss_mib() == 0.0


def test_the_peak_memory_is_measured_where_resource_exists() -> None:
    pytest.importorskip("resource")
    from scamnet.simulate.run import peak_rss_mib

    assert peak_rss_mib() > 0

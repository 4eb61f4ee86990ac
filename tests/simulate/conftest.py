"""Worlds shared by the simulator tests: generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from scamnet.simulate import PRESETS, SimulationSummary, simulate


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulationSummary]:
    out = tmp_path_factory.mktemp("tiny")
    return out, simulate(PRESETS["tiny"], out)


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    simulate(PRESETS["demo"], out)
    return out

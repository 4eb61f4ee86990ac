"""The scenario simulator: a synthetic fraud world with known ground truth.

``simulate(config, out_dir)`` writes the observable data (calls, messages,
transfers, reports, person records, wanted lists, handover manifests) and, under
``truth/``, everything the generator knows. See ``docs/simulator.md``.
"""

from scamnet.simulate.config import PRESETS, SimConfig
from scamnet.simulate.run import SimulationSummary, simulate

__all__ = ["PRESETS", "SimConfig", "SimulationSummary", "simulate"]

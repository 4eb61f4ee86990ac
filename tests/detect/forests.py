"""Small LightGBM forests that try a compiled scorer's missing-value rules, and the awkward
rows that go with them (shared by the numba kernel's and the LLVM trees' equality tests)."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np

# LightGBM parameters, one forest each, and their test ids.
MISSING_RULES: list[dict[str, Any]] = [
    {},  # NaN seen in training: missing type NaN
    {"zero_as_missing": True},  # missing type Zero
    {"use_missing": False},  # missing type None: NaN read as 0.0
    {"objective": "regression"},
    {"max_depth": 3, "num_leaves": 8, "sigmoid": 0.7},
]
MISSING_RULE_IDS = ["nan", "zero", "none", "regression", "sigmoid"]


def missing_rules_forest(params: dict[str, Any],
                         rng: np.random.Generator) -> tuple[lgb.Booster, np.ndarray]:  # fmt: skip
    """A 60-tree forest on rows with many exact zeros and 15% NaN, and those rows."""
    x = rng.normal(size=(3000, 6))
    x[:, 1] = rng.integers(-2, 3, size=3000)  # many exact zeros
    y = ((x[:, 0] + np.abs(x[:, 1]) - x[:, 2] > 0.3) ^ (rng.random(3000) < 0.1)).astype(int)
    x[rng.random(x.shape) < 0.15] = np.nan
    booster = lgb.train({"objective": "binary", "verbose": -1, "min_data_in_leaf": 5,
                         "deterministic": True, "num_threads": 1, **params},
                        lgb.Dataset(x, y), num_boost_round=60)  # fmt: skip
    return booster, x


# Values LightGBM's dense-matrix reader takes as zero (|v| <= 1e-35), and their shares.
ZERO_BAND: tuple[tuple[float, float], ...] = ((1e-40, 0.02), (-1e-36, 0.02))


def awkward(x: np.ndarray, seed: int, *, zero_band: bool = True) -> np.ndarray:
    """``x`` with NaNs, zeros, -0.0, infinities and (with ``zero_band``) values under
    LightGBM's zero threshold dropped in at random."""
    rng = np.random.default_rng(seed)
    out = x.copy()
    values = ((np.nan, 0.1), (0.0, 0.05), (-0.0, 0.02), *(ZERO_BAND if zero_band else ()),
              (np.inf, 0.01), (-np.inf, 0.01))  # fmt: skip
    for value, share in values:
        out[rng.random(out.shape) < share] = value
    return out

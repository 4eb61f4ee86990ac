"""Numbers and handset IMEIs for the simulated world: valid, distinct, in real ranges."""

from __future__ import annotations

import numpy as np

from scamnet.core.identifiers.base import luhn_check_digit

CN_PREFIXES = np.array(
    [130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
     173, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189],
)  # fmt: skip
# Virtual operators' and data-only ranges: where a group turns for fresh SIMs once
# its usual ranges are watched (the drift of the hard preset).
CN_NEW_PREFIXES = np.array([162, 165, 167, 170, 171, 192])
MM_PREFIXES = np.array([942, 944, 945, 975, 976, 977, 978, 979, 965, 966, 967, 968, 969])
TACS = ["35316711", "35284911", "86452104", "35891603", "86769603", "35226011", "86891204"]


def cn_numbers(rng: np.random.Generator, n: int, prefixes: np.ndarray = CN_PREFIXES) -> np.ndarray:
    """``n`` distinct valid mainland mobile numbers in E.164."""
    out: set[int] = set()
    while len(out) < n:
        need = int((n - len(out)) * 1.1) + 10
        prefix = rng.choice(prefixes, need).astype(np.int64)
        nums = prefix * 100_000_000 + rng.integers(0, 100_000_000, need)
        out.update(nums.tolist())
    ordered = np.array(sorted(out), dtype=np.int64)[:n]
    rng.shuffle(ordered)
    return np.char.add("+86", ordered.astype("U11"))


def mm_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct Myanmar mobile numbers in E.164."""
    prefix = rng.choice(MM_PREFIXES, n).astype(np.int64)
    nums = np.unique(prefix * 10_000_000 + rng.integers(0, 10_000_000, n))
    while len(nums) < n:
        nums = np.unique(np.concatenate([nums, rng.choice(MM_PREFIXES, 1) * 10_000_000 + 7]))
    return np.char.add("+95", nums[:n].astype("U10"))


def imeis(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct IMEIs with valid Luhn digits.

    Distinct on purpose: handsets that share an IMEI are made explicitly (cloned or
    resold, ``simulate.handsets``), never by an accidental draw.
    """
    codes: set[int] = set()
    while len(codes) < n:
        codes.update(rng.integers(0, len(TACS) * 1_000_000, n - len(codes) + 16).tolist())
    picked = rng.permutation(np.array(sorted(codes), dtype=np.int64))[:n]
    tac = np.array(TACS)[picked // 1_000_000]
    bodies = np.char.add(tac, np.char.zfill((picked % 1_000_000).astype("U6"), 6))
    return np.array([b + str(luhn_check_digit(b)) for b in bodies.tolist()])

"""LightGBM trees compiled to machine code: the same scores, several times faster.

A fitted booster is flattened into a few NumPy arrays (one slot per node, the two
children of a split side by side so that the walk picks one without a branch), and a
numba kernel walks them: rows in blocks of ``BLOCK``, every tree over the whole block
while its nodes sit in L1, the rows split between threads. Scores equal LightGBM's
``predict`` to the last bit or so, because the kernel follows its C++ walk exactly
(``Tree::NumericalDecision`` and ``CategoricalDecision`` in LightGBM's ``tree.h``):

- values with ``|v| <= 1e-35`` are zero, as the dense-matrix reader of the C API makes them;
- a NaN goes the split's default way when its missing type is NaN or Zero, and is read as
  0.0 otherwise; a zero goes the default way when the missing type is Zero;
- numeric splits go left on ``v <= threshold``; categorical ones on membership of
  ``int(v)`` in the split's bitset, NaN and negatives right;
- leaf values are summed in tree order from 0.0, then a binary model's sigmoid.

The flat arrays are read from the booster's own text (``model_to_string``), which is
what a pickled model carries, and built once per model in memory. The kernel is cached
on disk by numba (``cache=True``), so a process pays the compilation once per install.
TreeSHAP explanations stay on LightGBM.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

BLOCK = 64  # rows walked together: 64 rows of ~100 features stay in L1 with a tree
ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold, a float widened to double
Array = np.ndarray  # the kernel's arguments; numba types them from the values
NAN_RIGHT, ZERO_MISSING, DEFAULT_RIGHT, CATEGORICAL = 1, 2, 4, 8  # bits of ``flags``


class NotCompilable(ValueError):
    """The booster uses something the kernel does not reproduce (the reason says what)."""


@dataclass(frozen=True)
class Forest:
    """A booster's trees as flat arrays, and how their sum becomes a score.

    Node ``i`` packs in ``node[i]`` its first child (low 32 bits), the column it splits
    on (the next 24) and its flags (the top 8): one load where three arrays cost three.
    It goes to the first child (left) or the next slot (right) by ``threshold[i]`` (a
    numeric split) or by bitset ``int(threshold[i])`` (a categorical one). A leaf is its
    own child, with an infinite threshold that nothing exceeds, and ``leaf[i]`` is its
    value.
    """

    roots: np.ndarray  # int32, one per tree, in LightGBM's order
    depth: np.ndarray  # int32: each tree's deepest leaf
    node: np.ndarray  # int64: child | feature << 32 | flags << 56
    threshold: np.ndarray  # float64
    leaf: np.ndarray  # float64
    cat_bounds: np.ndarray  # int32: bitset k is cat_bits[cat_bounds[k]:cat_bounds[k + 1]]
    cat_bits: np.ndarray  # uint32
    n_features: int
    sigmoid: float  # > 0: binary probability; 0: the raw sum (regression)

    def arrays(self) -> tuple[np.ndarray, ...]:
        return (self.roots, self.depth, self.node, self.threshold, self.leaf, self.cat_bounds,
                self.cat_bits)  # fmt: skip


def _fields(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split()] if text else []


def _floats(text: str) -> list[float]:
    # Python reads LightGBM's 17 significant digits back to the very same doubles.
    return [float(v) for v in text.split()] if text else []


def _split_flags(decision: int, threshold: float) -> int:
    """The kernel's flags of a split from LightGBM's ``decision_type`` (bit 0:
    categorical, bit 1: default left, bits 2-3: missing type none, zero or NaN)."""
    if decision & 1:
        return CATEGORICAL
    missing, default_left = (decision >> 2) & 3, bool(decision & 2)
    # Where a NaN goes: the default way if missing values are NaN or zeros (a NaN is
    # then read as 0.0, a missing zero), else wherever 0.0 goes.
    nan_left = default_left if missing in (1, 2) else threshold >= 0.0
    bits = 0 if nan_left else NAN_RIGHT
    bits |= ZERO_MISSING if missing == 1 else 0
    return bits | (0 if default_left else DEFAULT_RIGHT)


def _grow(*columns: list[Any]) -> None:
    """One more node, to be filled in when the walk reaches it."""
    for values in columns:
        values.append(0)


def flatten(model_text: str, num_iteration: int | None = None) -> Forest:
    """The forest of a LightGBM model in its text form (``Booster.model_to_string``).

    Raises:
        NotCompilable: multiclass, linear trees, averaged (random forest) output, or an
            objective other than binary or regression.
    """
    head, _, rest = model_text.partition("\nTree=")
    header = _fields(head)
    objective = header.get("objective", "").split()
    if int(header.get("num_tree_per_iteration", "1")) != 1:
        raise NotCompilable("more than one tree per iteration (multiclass)")
    if "average_output" in head.splitlines():
        raise NotCompilable("averaged output (random forest)")
    if objective[:1] == ["binary"]:
        sigmoid = next((float(o.split(":")[1]) for o in objective if o.startswith("sigmoid:")), 1.0)
    elif objective == ["regression"]:
        sigmoid = 0.0
    else:
        raise NotCompilable(f"objective {' '.join(objective)!r}")
    trees = [_fields(t) for t in ("Tree=" + rest).split("\nTree=")]
    trees = [t for t in trees if "num_leaves" in t][: num_iteration or None]
    roots: list[int] = []
    depths: list[int] = []
    feature: list[int] = []
    threshold: list[float] = []
    child: list[int] = []
    flags: list[int] = []
    leaf: list[float] = []
    cat_bounds: list[int] = [0]
    cat_bits: list[int] = []
    for tree in trees:
        if tree.get("is_linear", "0") != "0":
            raise NotCompilable("linear trees")
        cats_before = len(cat_bounds) - 1
        bounds = _ints(tree.get("cat_boundaries", ""))
        cat_bounds += [cat_bounds[-1] + bounds[k + 1] - bounds[0] for k in range(len(bounds) - 1)]
        cat_bits += _ints(tree.get("cat_threshold", ""))
        leaves = _floats(tree["leaf_value"])
        split, cut = _ints(tree.get("split_feature", "")), _floats(tree.get("threshold", ""))
        decision = _ints(tree.get("decision_type", ""))
        left, right = _ints(tree.get("left_child", "")), _ints(tree.get("right_child", ""))
        # Breadth first from the root (node 0, or leaf 0 of a one-leaf tree); a split's
        # two children get adjacent slots.
        roots.append(len(child))
        queue = [(0 if split else -1, len(child), 0)]
        _grow(feature, threshold, child, flags, leaf)
        deepest = 0
        while queue:
            node, at, level = queue.pop(0)
            if node < 0:
                threshold[at], child[at], leaf[at] = math.inf, at, leaves[~node]
                deepest = max(deepest, level)
                continue
            flags[at] = _split_flags(decision[node], cut[node])
            categorical = flags[at] & CATEGORICAL
            threshold[at] = float(cats_before + int(cut[node])) if categorical else cut[node]
            feature[at], child[at] = split[node], len(child)
            for kid in (left[node], right[node]):
                queue.append((kid, len(child), level + 1))
                _grow(feature, threshold, child, flags, leaf)
        depths.append(deepest)
    n_features = int(header["max_feature_idx"]) + 1
    if n_features >= 1 << 24 or len(child) >= 1 << 31:
        raise NotCompilable("more features or nodes than the packed nodes hold")
    packed = np.array(child, dtype=np.int64) | (np.array(feature, dtype=np.int64) << 32)
    packed |= np.array(flags, dtype=np.int64) << 56
    return Forest(
        np.array(roots, dtype=np.int32), np.array(depths, dtype=np.int32), packed,
        np.array(threshold, dtype=np.float64), np.array(leaf, dtype=np.float64),
        np.array(cat_bounds, dtype=np.int32), np.array(cat_bits, dtype=np.uint32), n_features,
        sigmoid,
    )  # fmt: skip


def from_booster(booster: Any) -> Forest:
    """The forest of a ``lightgbm.Booster``, as many trees as its ``predict`` uses."""
    best = int(getattr(booster, "best_iteration", 0) or 0)
    return flatten(booster.model_to_string(), best if best > 0 else None)


def predict(forest: Forest, x: np.ndarray, threads: int = 1) -> np.ndarray:
    """The forest's score of each row of ``x``, as ``lightgbm.Booster.predict`` gives it.

    Args:
        forest: from :func:`flatten` or :func:`from_booster`.
        x: rows by features.
        threads: more than one spreads the row blocks over that many threads.

    Raises:
        ValueError: ``x`` has another number of features than the model.
    """
    x = input_rows(x, forest.n_features)
    out = np.empty(len(x), dtype=np.float64)
    rest: tuple[Any, ...] = (*forest.arrays(), forest.sigmoid, BLOCK, ZERO)
    if threads <= 1 or len(x) <= BLOCK * threads:
        _walk(x, out, *rest)
        return out
    # Python threads on the kernel, which releases the GIL: no numba threading layer
    # (whose default one refuses concurrent callers) and nothing more to compile.
    in_threads(lambda part, into: _walk(part, into, *rest), x, out, threads)
    return out


def input_rows(x: np.ndarray, n_features: int) -> np.ndarray:
    """``x`` as the compiled scorers read it: contiguous float64 rows, checked.

    Shared by this kernel and the LLVM trees (``detect/llvm_trees.py``), so that both
    refuse and convert the same inputs.

    Raises:
        ValueError: ``x`` is not rows of ``n_features`` features.
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(f"the model takes {n_features} features, the rows have "
                         f"{x.shape[-1] if x.ndim else 0}")  # fmt: skip
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float32)  # as LightGBM's Python package reads other dtypes
    return np.ascontiguousarray(x, dtype=np.float64)


def in_threads(run: Callable[[np.ndarray, np.ndarray], None], x: np.ndarray, out: np.ndarray,
               threads: int) -> None:  # fmt: skip
    """``run(rows, into)`` on ``threads`` equal slices of ``x`` and ``out`` at once."""
    cuts = np.linspace(0, len(x), threads + 1).astype(int)
    with ThreadPoolExecutor(threads) as pool:
        done = [pool.submit(run, x[lo:hi], out[lo:hi]) for lo, hi in itertools.pairwise(cuts)]
        for job in done:
            job.result()


@njit(cache=True, nogil=True)
def _block(x: Array, lo: int, hi: int, out: Array, roots: Array, depth: Array, node: Array,
           threshold: Array, leaf: Array, cat_bounds: Array, cat_bits: Array, sigmoid: float,
           zero: float) -> None:  # fmt: skip
    """Score rows ``lo:hi`` of ``x`` into ``out``.

    The rows go down each tree in step, ``depth`` levels whatever leaf they reach (a
    leaf is its own child): no row waits for another's branch, so the processor runs
    many walks at once instead of stalling on each node's load and each loop exit.
    (Stopping once every row of the block sits on a leaf made it slower.)
    """
    n, width = hi - lo, x.shape[1]
    rows = np.empty((n, width))
    for r in range(n):
        for j in range(width):
            v = x[lo + r, j]
            rows[r, j] = 0.0 if abs(v) <= zero else v  # NaN stays NaN
    total = np.zeros(n)
    at = np.empty(n, dtype=np.int64)
    for t in range(roots.size):
        at[:] = roots[t]
        for _ in range(depth[t]):
            for r in range(n):
                i = at[r]
                packed = node[i]
                v = rows[r, (packed >> 32) & 0xFFFFFF]
                f = packed >> 56
                # A NaN compares false: it goes right only where its flag says so.
                right = (v > threshold[i]) | ((v != v) & (f & 1))
                if f & 10:  # zeros missing, or categorical: rare, so a branch
                    right = _rare(v, f, int(threshold[i]), cat_bounds, cat_bits, right)
                at[r] = (packed & 0xFFFFFFFF) + right
        for r in range(n):
            total[r] += leaf[at[r]]
    for r in range(n):
        out[lo + r] = 1.0 / (1.0 + math.exp(-sigmoid * total[r])) if sigmoid > 0 else total[r]


@njit(cache=True, nogil=True, inline="always")
def _rare(v: float, f: int, k: int, cat_bounds: Array, cat_bits: Array, right: int) -> int:
    """The way of a row at a zero-missing or categorical split."""
    if f & 8:  # categorical: left if int(v) is in the split's bitset
        if math.isnan(v) or int(v) < 0:
            return 1
        c = int(v)
        first, word = cat_bounds[k], c >> 5
        if word >= cat_bounds[k + 1] - first:
            return 1
        return int(1 - ((cat_bits[first + word] >> (c & 31)) & 1))
    if v == 0.0 or math.isnan(v):  # zeros (and NaN, read as 0.0) take the default way
        return (f >> 2) & 1
    return right


@njit(cache=True, nogil=True)
def _walk(x: Array, out: Array, roots: Array, depth: Array, node: Array, threshold: Array,
          leaf: Array, cat_bounds: Array, cat_bits: Array, sigmoid: float, block: int,
          zero: float) -> None:  # fmt: skip
    """Score every row of ``x`` into ``out``, block by block."""
    for lo in range(0, x.shape[0], block):
        _block(x, lo, min(lo + block, x.shape[0]), out, roots, depth, node, threshold, leaf,
               cat_bounds, cat_bits, sigmoid, zero)  # fmt: skip

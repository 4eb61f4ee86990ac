"""Graph features for subscribers (contact edges) and accounts (money flows).

Computed with scipy sparse matrices: degree, neighbours' mean features, the
share of known fraud among labelled neighbours (one step of label propagation,
Zhu and Ghahramani 2002), and PageRank by power iteration.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def adjacency(src: np.ndarray, dst: np.ndarray, n: int, weight: np.ndarray | None = None
              ) -> sparse.csr_matrix:  # fmt: skip
    w = np.ones(len(src), dtype=np.float64) if weight is None else weight.astype(np.float64)
    return sparse.csr_matrix((w, (src, dst)), shape=(n, n))


def neighbour_means(adj: sparse.csr_matrix, x: np.ndarray) -> np.ndarray:
    """Mean of ``x`` over each node's neighbours (either direction), 0 for isolated nodes."""
    sym = ((adj + adj.T) > 0).astype(np.float64)
    deg = np.asarray(sym.sum(axis=1)).ravel()
    out: np.ndarray = (sym @ np.nan_to_num(x)) / np.maximum(deg, 1)[:, None]
    return out


def label_share(adj: sparse.csr_matrix, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(share of fraud among labelled neighbours, number of fraud neighbours).

    ``known`` holds 1 for known fraud, 0 for known normal, NaN for unknown.
    """
    sym = ((adj + adj.T) > 0).astype(np.float64)
    labelled = (~np.isnan(known)).astype(np.float64)
    fraud = np.nan_to_num(known)
    n_lab = sym @ labelled
    n_fraud = sym @ fraud
    share = np.where(n_lab > 0, n_fraud / np.maximum(n_lab, 1), np.nan)
    return share, n_fraud


def pagerank(adj: sparse.csr_matrix, damping: float = 0.85, iters: int = 50) -> np.ndarray:
    n = adj.shape[0]
    out_deg = np.asarray(adj.sum(axis=1)).ravel()
    inv = np.where(out_deg > 0, 1.0 / np.maximum(out_deg, 1e-12), 0.0)
    transition = sparse.diags(inv) @ adj
    rank = np.full(n, 1.0 / n)
    for _ in range(iters):
        dangling = rank[out_deg == 0].sum()
        rank = (1 - damping) / n + damping * (transition.T @ rank + dangling / n)
    scaled: np.ndarray = np.asarray(rank) * n  # 1.0 is the average node
    return scaled

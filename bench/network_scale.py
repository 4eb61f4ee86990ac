"""Benchmark: groups and roles on a graph of ten million edges, against igraph's own Leiden.

Run (after `scamnet simulate --preset bench` and ingesting its calls, see BENCHMARKS.md):

    .venv/bin/python bench/network_scale.py --lake DATA_DIR/lake --runs 3

The graph is every distinct (caller, callee) pair of the bench world's calls,
weighted by the number of calls. Per run, on the same arrays:

- igraph alone: what running igraph's Leiden on this edge list takes: build the
  graph, merge parallel ties (``simplify``, weights summed), Leiden (modularity,
  the same resolution and iterations as scamnet); the Leiden call is also timed
  on its own;
- scamnet: ``communities`` (ties merged in numpy, graph, Leiden) followed by
  ``structure`` (upward calls, PageRank over them, bosses, money) and ``roles``
  for every community of five or more.

The overhead is (scamnet - igraph alone) / igraph alone, per run; medians are
reported, with the Leiden call alone for reference.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import duckdb
import igraph as ig
import numpy as np

from scamnet.network.structure import RESOLUTION, communities, roles, structure


def load(lake: Path) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE pairs AS SELECT caller, callee, count(*)::DOUBLE AS n
        FROM read_parquet('{lake}/calls/*/*.parquet') GROUP BY 1, 2""")
    con.execute("""CREATE TABLE ids AS SELECT k, (row_number() OVER () - 1)::BIGINT AS i
                   FROM (SELECT caller AS k FROM pairs UNION SELECT callee FROM pairs)""")
    table = con.sql("""SELECT a.i AS a, b.i AS b, n FROM pairs
                       JOIN ids a ON a.k = caller JOIN ids b ON b.k = callee""").fetchnumpy()
    n = int(con.execute("SELECT count(*) FROM ids").fetchall()[0][0])
    return n, table["a"], table["b"], table["n"]


def baseline(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    began = time.perf_counter()
    graph = ig.Graph(n=n, edges=np.column_stack([a, b]), directed=False)
    graph.es["weight"] = w
    graph = graph.simplify(combine_edges="sum")
    ig.set_random_number_generator(random.Random(0))  # noqa: S311 - reproducible runs
    leiden = time.perf_counter()
    graph.community_leiden(
        objective_function="modularity", weights="weight", resolution=RESOLUTION, n_iterations=-1
    )
    done = time.perf_counter()
    return done - began, done - leiden


def scamnet(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> tuple[float, int]:
    began = time.perf_counter()
    membership = communities(n, a, b, w)
    empty = np.zeros(0, np.int64)
    st = structure(n, (a, b, w), (empty, empty, np.zeros(0)))
    kinds = ["phone"] * n
    order = np.argsort(membership, kind="stable")
    bounds = np.flatnonzero(np.diff(membership[order])) + 1
    groups = 0
    for members in np.split(order, bounds):
        if len(members) >= 5:
            roles(members, kinds, st)
            groups += 1
    return time.perf_counter() - began, groups


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lake", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    n, a, b, w = load(args.lake)
    print(f"graph: {n:,} numbers, {len(a):,} directed pairs")
    base, ours, overhead, leidens = [], [], [], []
    for run in range(args.runs):
        t_base, t_leiden = baseline(n, a, b, w)
        leidens.append(t_leiden)
        t_ours, groups = scamnet(n, a, b, w)
        base.append(t_base)
        ours.append(t_ours)
        overhead.append((t_ours - t_base) / t_base)
        print(
            f"run {run + 1}: igraph alone {t_base:.1f} s (Leiden call {t_leiden:.1f} s); "
            f"scamnet groups and roles "
            f"{t_ours:.1f} s ({groups:,} groups); overhead {overhead[-1]:.0%}"
        )
    print(
        f"median: igraph alone {statistics.median(base):.1f} s (Leiden call "
        f"{statistics.median(leidens):.1f} s), scamnet {statistics.median(ours):.1f} s, "
        f"overhead {statistics.median(overhead):.0%}"
    )


if __name__ == "__main__":
    main()

"""Evaluate entity resolution against the simulator's ground truth, on worlds the
model was not designed on.

Run:

    .venv/bin/python bench/er_eval.py --seeds 11 12 13 [--json results.json]

Each seed: simulate the demo world, ingest its person records, wanted list and
handover manifests into a fresh store (messy rows rejected as usual), resolve,
and compare the clusters with ``truth/record_links.csv`` pairwise: every pair of
records in one predicted cluster is a predicted match, every pair with the same
true person a true match. Cross-script pairs join a 汉字 record (person records,
warrants) with a Latin one (manifest lines).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from scamnet.cli.context import record_sink
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import Ingestor
from scamnet.resolve.evaluate import cross_script, pair_sets, read_links, scores
from scamnet.resolve.run import resolve
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store
from scamnet.store.records import StoreLedger
from scamnet.store.resolution import source_records


def evaluate(seed: int, tmp: Path) -> dict[str, float]:
    world = tmp / f"world{seed}"
    simulate(PRESETS["demo"].with_overrides(seed=seed), world)
    data = tmp / f"data{seed}"
    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    store.upgrade()
    ingestor = Ingestor(data)
    for kind, name in (
        ("persons", "persons.csv"),
        ("wanted", "wanted.csv"),
        ("handovers", "handovers.csv"),
    ):
        with store.session() as s:
            ingestor.ingest_file(kind, world / name, Mapping(), StoreLedger(s), record_sink(s))
    ingestor.close()
    with store.session() as s:
        records = source_records(s)
    began = time.perf_counter()
    result = resolve(records, {}, [], [])
    seconds = time.perf_counter() - began
    pp, tp = pair_sets(result.clusters, read_links(world))
    p, r, f1 = scores(pp, tp)
    cp, cr, cf1 = scores(cross_script(pp), cross_script(tp))
    store.dispose()
    return {
        "records": len(records),
        "true_pairs": len(tp),
        "P": p,
        "R": r,
        "F1": f1,
        "cross_pairs": len(cross_script(tp)),
        "cross_P": cp,
        "cross_R": cr,
        "cross_F1": cf1,
        "seconds": seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    ap.add_argument("--json", type=Path, help="also write every seed's figures here")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            res = evaluate(seed, Path(tmp))
            results.append(res)
            print(
                f"seed {seed}: {res['records']:,} records, {res['true_pairs']:,} true pairs; "
                f"P {res['P']:.4f} R {res['R']:.4f} F1 {res['F1']:.4f}; cross-script "
                f"({res['cross_pairs']:,} pairs) P {res['cross_P']:.4f} R {res['cross_R']:.4f} "
                f"F1 {res['cross_F1']:.4f}; {res['seconds']:.1f} s"
            )
    medians = {key: statistics.median(r[key] for r in results) for key in ("F1", "cross_F1")}
    for key, value in medians.items():
        print(f"median {key}: {value:.4f}")
    if args.json:
        seeds = dict(zip(map(str, args.seeds), results, strict=True))
        args.json.write_text(json.dumps({"seeds": seeds, "medians": medians}, indent=2))


if __name__ == "__main__":
    main()

"""Evaluate groups, membership, roles and sites against the simulator's ground truth.

Run (worlds 101-105 were used to develop; report on others):

    .venv/bin/python bench/network_eval.py --preset demo --seeds 201 202 203 204 205
    .venv/bin/python bench/network_eval.py --preset hard --seeds 201 202 203 204 205

Each seed: simulate the world, ingest it, train the subscriber and account
detectors on half of the confirmed cases and store their alerts (as `scamnet
demo` does; the message model is not trained, as the network reads no message
alerts),
then find the groups from the alerts and reports, and compare with the truth:

- groups: adjusted Rand index between found and true groups over the detected
  fraud entities (numbers and accounts in the subgraph that truly belong to a
  group);
- membership: ordinary subscribers and accounts (and identifiers the truth does
  not know) among the members at or above the confidence threshold (target 0),
  the same among those "to review", and the share of the groups' true fraud
  identifiers that are members (recall);
- roles: share of true masterminds and organisers whose number or account is
  among the top 3 of the group that holds it (target >= 0.85 on every world);
- sites: for each true compound, the distance to the nearest site estimated for
  the group holding most of that compound's group; the median over compounds
  (target <= 1.5 km on every world).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from scamnet.cli import demo_detect
from scamnet.cli.demo import ingest_world
from scamnet.cli.demo_detect import detect_world
from scamnet.core.access import Actor
from scamnet.core.reference import reference_agencies
from scamnet.detect import tabular
from scamnet.network.membership import MIN_CONFIDENCE
from scamnet.network.run import Community, NetworkResult
from scamnet.network.service import run_groups
from scamnet.network.sites import haversine_km
from scamnet.settings import Settings, sqlite_url
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository

TARGETS = {"roles": 0.85, "site_km": 1.5, "innocent_members": 0}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def evaluate(preset: str, seed: int, tmp: Path, min_confidence: float) -> dict[str, float]:
    world, data = tmp / f"{preset}-world{seed}", tmp / f"{preset}-data{seed}"
    settings = Settings(data_dir=data, database_url=sqlite_url(data / "scamnet.db"))
    store = Store(settings.database_url)
    ready = data / "prepared"  # with --work, a world is simulated, ingested and detected once
    if not ready.exists():
        simulate(PRESETS[preset].with_overrides(seed=seed), world)
        store.upgrade()
        with store.session() as s:
            AgencyRepository(s).ensure(reference_agencies())
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            ingest_world(world, settings, store)
            detect_world(world, settings, store)
        # The subscriber model's ROC-AUC on the half of the world it did not learn from.
        found = re.search(r"ROC-AUC on the other [\d,]+: ([\d.]+)", said.getvalue())
        ready.write_text(found.group(1) if found else "nan")
    auc = float(ready.read_text() or "nan")
    began = time.perf_counter()
    with store.session() as s:
        result, _ids = run_groups(s, settings, Actor("bench", "CN-YN-DH"))
    seconds = time.perf_counter() - began
    store.dispose()
    scores = score(world, result, min_confidence)
    return scores | {"seconds": seconds, "subscriber_auc": auc}


def score(world: Path, result: NetworkResult, min_confidence: float) -> dict[str, float]:
    truth = {r["msisdn"]: r for r in _read(world / "truth" / "subscribers.csv")}
    for r in _read(world / "truth" / "accounts.csv"):  # the lake keeps wallets as trx:T…
        truth[f"trx:{r['account']}" if r["kind"] == "wallet" else r["account"]] = r
    persons = {r["person_id"]: r for r in _read(world / "truth" / "persons.csv")}

    def group_of(key: str) -> str | None:
        r = truth.get(key)
        return r["group_id"] if r and r["group_id"] not in ("-1", "") else None

    def person_of(key: str) -> str | None:
        r = truth.get(key)
        return r["person_id"] if r and r.get("person_id") not in (None, "-1", "") else None

    sub = result.subgraph
    found, true = [], []
    for i, key in enumerate(sub.nodes):
        if sub.kinds[i] in ("phone", "account") and group_of(key) is not None:
            found.append(int(result.membership[i]))
            true.append(group_of(key))
    ari = adjusted_rand_score(true, found)

    member_kinds: Counter[str] = Counter()
    review_kinds: Counter[str] = Counter()
    for g in result.groups:
        for m in g.members:
            key = sub.nodes[m.node]
            kind = "fraud" if group_of(key) else ("ordinary" if key in truth else "unknown")
            (member_kinds if g.confidence(m.node) >= min_confidence else review_kinds)[kind] += 1
    leaders_hit, leaders, achievable = 0, 0, 0
    group_for_true: dict[str, Community] = {}
    for g in result.groups:
        votes = Counter(t for m in g.members if (t := group_of(sub.nodes[m.node])) is not None)
        if votes:
            group_for_true.setdefault(votes.most_common(1)[0][0], g)
    by_group: dict[str, list[str]] = {}
    for pid, p in persons.items():
        if p["role"] in ("mastermind", "organiser"):
            by_group.setdefault(p["group_id"], []).append(pid)
    for tg, pids in by_group.items():
        leaders += len(pids)
        achievable += min(3, len(pids))
        held = group_for_true.get(tg)
        if held is not None:
            top3 = {person_of(sub.nodes[m.node]) for m in held.leaders(3)}
            leaders_hit += len(top3 & set(pids))
    errors = []
    for site in _read(world / "truth" / "sites.csv"):
        holder = group_for_true.get(site["group_id"])
        if holder is not None and holder.sites:
            errors.append(
                min(
                    float(haversine_km(e.lat, e.lon, float(site["lat"]), float(site["lon"])))
                    for e in holder.sites
                )
            )
    fraud_total = member_kinds["fraud"] + review_kinds["fraud"]
    return {
        "ari": ari,
        "entities": len(true),
        "groups": len(result.groups),
        "innocent_members": member_kinds["ordinary"] + member_kinds["unknown"],
        "ordinary_members": member_kinds["ordinary"],
        "unknown_members": member_kinds["unknown"],
        "ordinary_review": review_kinds["ordinary"],
        "unknown_review": review_kinds["unknown"],
        "fraud_review": review_kinds["fraud"],
        "recall": member_kinds["fraud"] / fraud_total if fraud_total else float("nan"),
        "roles": leaders_hit / leaders,
        "leaders": leaders,
        "roles_of_achievable": leaders_hit / achievable,
        "site_km": statistics.median(errors) if errors else float("nan"),
        "sites": len(errors),
        "nodes": len(sub.nodes),
        "ties": len(sub.edges[0]),
    }


def _met(r: dict[str, float]) -> bool:
    return (
        r["roles"] >= TARGETS["roles"]
        and r["site_km"] <= TARGETS["site_km"]
        and r["innocent_members"] <= TARGETS["innocent_members"]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[201, 202, 203, 204, 205])
    ap.add_argument("--preset", default="demo", choices=sorted(PRESETS))
    ap.add_argument("--min-confidence", type=float, default=MIN_CONFIDENCE)
    ap.add_argument(
        "--work", type=Path, help="Keep prepared worlds here and reuse them (default: a temp dir)."
    )
    ap.add_argument("--json", type=Path, help="Also write every world's figures here.")
    args = ap.parse_args()
    # One thread per model: on a shared machine, LightGBM's threads wait on each other
    # more than they work (as in bench/ladder.py). It changes no tree.
    tabular.PARAMS["n_jobs"] = tabular.SUBSCRIBER_PARAMS["n_jobs"] = 1
    # The network grows from subscriber and account alerts only (network.service
    # SEED_KINDS): the demo's message model, the slowest to train, is left out here.
    demo_detect.detect_messages = lambda *_: None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            r = evaluate(args.preset, seed, args.work or Path(tmp), args.min_confidence)
            rows.append(r)
            print(
                f"{args.preset} seed {seed}: subscriber AUC {r['subscriber_auc']:.3f}; subgraph {r['nodes']:,} nodes / {r['ties']:,} ties, "
                f"{r['groups']} groups; ARI {r['ari']:.4f} over {r['entities']:,} fraud entities; "
                f"members >= {args.min_confidence}: {r['ordinary_members']} ordinary, "
                f"{r['unknown_members']} unknown to the truth, fraud recall {r['recall']:.1%}; "
                f"to review: {r['ordinary_review']} ordinary, {r['unknown_review']} unknown, "
                f"{r['fraud_review']} fraud; leaders in top 3: {r['roles']:.1%} of "
                f"{r['leaders']}; median site error {r['site_km']:.2f} km over {r['sites']} "
                f"compounds; {r['seconds']:.1f} s; targets {'met' if _met(r) else 'MISSED'}",
                flush=True,
            )
    for key in ("ari", "innocent_members", "recall", "roles", "site_km"):
        values = [r[key] for r in rows]
        print(f"{key}: median {statistics.median(values):.4f}, worst "
              f"{(min if key in ('ari', 'recall', 'roles') else max)(values):.4f}")  # fmt: skip
    print(f"targets met on {sum(map(_met, rows))} of {len(rows)} worlds")
    if args.json:
        worlds = {
            str(seed): r | {"targets_met": _met(r)}
            for seed, r in zip(args.seeds, rows, strict=True)
        }
        args.json.write_text(json.dumps({"preset": args.preset, "targets": TARGETS,
                                         "min_confidence": args.min_confidence,
                                         "worlds": worlds}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()

"""Evaluate groups, roles and sites against the simulator's ground truth.

Run:

    .venv/bin/python bench/network_eval.py --seeds 11 12 13

Each seed: simulate the demo world, ingest it, train the subscriber detector on
half of the confirmed cases and store its alerts (exactly as `scamnet demo`
does), then run `scamnet network groups` and compare with the truth:

- groups: adjusted Rand index between found and true groups over the detected
  fraud entities (numbers and accounts in the subgraph that truly belong to a
  group);
- roles: share of true masterminds and organisers whose number or account is
  among the top 3 of the group that holds it;
- sites: for each true compound, the distance to the nearest site estimated for
  the group holding most of that compound's group; the median over compounds.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from scamnet.cli.demo import ingest_world
from scamnet.cli.demo_detect import detect_world
from scamnet.core.access import Actor
from scamnet.core.reference import reference_agencies
from scamnet.network.service import run_groups
from scamnet.network.sites import haversine_km
from scamnet.settings import Settings, sqlite_url
from scamnet.simulate import PRESETS, simulate
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def evaluate(seed: int, tmp: Path) -> dict[str, float]:
    world, data = tmp / f"world{seed}", tmp / f"data{seed}"
    simulate(PRESETS["demo"].with_overrides(seed=seed), world)
    settings = Settings(data_dir=data, database_url=sqlite_url(data / "scamnet.db"))
    store = Store(settings.database_url)
    store.upgrade()
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
    with contextlib.redirect_stdout(io.StringIO()):
        ingest_world(world, settings, store)
        detect_world(world, settings, store)
    began = time.perf_counter()
    with store.session() as s:
        result, _ids = run_groups(s, settings, Actor("bench", "CN-YN-DH"))
    seconds = time.perf_counter() - began
    store.dispose()

    truth = {r["msisdn"]: r for r in _read(world / "truth" / "subscribers.csv")}
    truth.update({r["account"]: r for r in _read(world / "truth" / "accounts.csv")})
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

    leaders_hit, leaders, at_l, achievable = 0, 0, 0, 0
    group_for_true: dict[str, object] = {}
    for g in result.groups:
        votes = Counter(group_of(sub.nodes[m.node]) for m in g.members)
        votes.pop(None, None)
        if not votes:
            continue
        tg = votes.most_common(1)[0][0]
        group_for_true.setdefault(tg, g)
    by_group: dict[str, list[str]] = {}
    for pid, p in persons.items():
        if p["role"] in ("mastermind", "organiser"):
            by_group.setdefault(p["group_id"], []).append(pid)
    for tg, pids in by_group.items():
        leaders += len(pids)
        achievable += min(3, len(pids))
        g = group_for_true.get(tg)
        if g is None:
            continue
        top3 = {person_of(sub.nodes[m.node]) for m in g.leaders(3)}
        top_l = {person_of(sub.nodes[m.node]) for m in g.leaders(len(pids))}
        leaders_hit += len(top3 & set(pids))
        at_l += len(top_l & set(pids))
    errors = []
    for site in _read(world / "truth" / "sites.csv"):
        g = group_for_true.get(site["group_id"])
        if g is not None and g.sites:
            errors.append(
                min(
                    float(haversine_km(e.lat, e.lon, float(site["lat"]), float(site["lon"])))
                    for e in g.sites
                )
            )
    return {
        "ari": ari,
        "entities": len(true),
        "groups": len(result.groups),
        "roles": leaders_hit / leaders,
        "leaders": leaders,
        "roles_of_achievable": leaders_hit / achievable,
        "achievable": achievable,
        "roles_at_l": at_l / leaders,
        "site_km": statistics.median(errors) if errors else float("nan"),
        "sites": len(errors),
        "seconds": seconds,
        "nodes": len(sub.nodes),
        "ties": len(sub.edges[0]),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            r = evaluate(seed, Path(tmp))
            rows.append(r)
            print(
                f"seed {seed}: subgraph {r['nodes']:,} nodes / {r['ties']:,} ties, "
                f"{r['groups']} groups; ARI {r['ari']:.4f} over {r['entities']:,} fraud entities; "
                f"leaders in top 3: {r['roles']:.1%} of {r['leaders']} "
                f"({r['roles_of_achievable']:.1%} of the {r['achievable']} a top 3 can hold); "
                f"in the top L (L = the group's leaders): {r['roles_at_l']:.1%}; "
                f"median site error {r['site_km']:.2f} km over {r['sites']} compounds; "
                f"{r['seconds']:.1f} s"
            )
    for key in ("ari", "roles", "roles_of_achievable", "roles_at_l", "site_km"):
        print(f"median {key}: {statistics.median(r[key] for r in rows):.4f}")


if __name__ == "__main__":
    main()

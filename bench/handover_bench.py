"""Benchmark: import a 571-person handover manifest into a store that knows many persons.

Run (the comparison with Splink real-time matching is bench/handover_matchers.py):

    .venv/bin/python bench/handover_bench.py --known 100000 --runs 3

The store is filled with ``--known`` persons (汉字 names, birth dates, resident
IDs) and 2,000 open warrants. The manifest has 571 lines, as the Muse batch of
18 November 2023: half are known persons written in Latin letters the way
partner services write them (family name last, Wade–Giles, tone marks, typos,
day/month swapped birth dates), the rest unknown. Each run imports it into a
fresh copy of the store and reports the wall time of the import (loading the
known persons, matching every line, writing entries and new persons) and how
many of the known persons were matched to the right record. The CPU time of the
import is printed too: on a shared machine it is inflated less than the wall time.

Each run starts with an empty ``name_forms`` cache, as a command in a fresh
process does (filling the store fills it too, and later runs would find the name
forms of the first).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from scamnet.cases.handovers import import_batch
from scamnet.core.access import Actor
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.core.reference import reference_agencies
from scamnet.resolve.names import forget_name_forms
from scamnet.simulate.names import VARIANTS, han_name, latin_variant
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.persons import bulk_load
from scamnet.store.uow import SqlUnitOfWork


def build(path: Path, known: int, rng: random.Random) -> list[tuple[int, str, date]]:
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    people = []
    start = date(1960, 1, 1)
    for pid in range(1, known + 1):
        people.append((pid, han_name(rng), start + timedelta(days=rng.randrange(16000))))
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        warrants = [(f"W{i:06d}", "CN-YN-DH", n, d) for i, (_p, n, d) in enumerate(people[:2000])]
        bulk_load(s, people, warrants)
    store.dispose()
    return people


def manifest(
    people: list[tuple[int, str, date]], rng: random.Random
) -> tuple[list[ManifestLine], dict[int, int]]:
    chosen = rng.sample(people, 286)
    lines, truth = [], {}
    for seq, (pid, han, born) in enumerate(chosen, start=1):
        variant = rng.choice(VARIANTS)
        if rng.random() < 0.1 and born.day <= 12:
            born = date(born.year, born.day, born.month)
        lines.append(ManifestLine(seq, latin_variant(han, variant, rng), born))
        truth[seq] = pid
    for seq in range(len(lines) + 1, 572):
        lines.append(
            ManifestLine(
                seq,
                latin_variant(han_name(rng), "pinyin", rng),
                date(1970, 1, 1) + timedelta(days=rng.randrange(12000)),
            )
        )
    return lines, truth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--known", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(2023)  # noqa: S311 - a reproducible synthetic population
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        people = build(base, args.known, rng)
        lines, truth = manifest(people, rng)
        times, cpus, right = [], [], 0
        for run in range(args.runs):
            db = Path(tmp) / f"run{run}.db"
            shutil.copy(base, db)
            store = Store(f"sqlite:///{db}")
            forget_name_forms()
            began, cpu = time.perf_counter(), time.process_time()
            with store.session() as s:
                header = BatchHeader(
                    f"H-{run}", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH"
                )
                import_batch(SqlUnitOfWork(s), Actor("bench", "CN-YN-DH"), header, lines)
            times.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu)
            with store.session() as s:
                got = {e.seq: e.person_id for e in SqlUnitOfWork(s).handovers.entries(f"H-{run}")}
            right = sum(got[seq] == pid for seq, pid in truth.items())
            store.dispose()
        print(f"known persons: {args.known:,}; manifest: 571 lines, {len(truth)} of known persons")
        print(
            f"import seconds per run: {', '.join(f'{t:.2f}' for t in times)}; "
            f"median {statistics.median(times):.2f}"
        )
        print(
            f"import CPU seconds per run: {', '.join(f'{t:.2f}' for t in cpus)}; "
            f"median {statistics.median(cpus):.2f}"
        )
        print(
            f"known persons matched to the right record: {right}/{len(truth)} "
            f"({right / len(truth):.1%})"
        )


if __name__ == "__main__":
    main()

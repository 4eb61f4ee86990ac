"""Benchmark: the handover's query-by-example matcher against Splink real-time matching.

Run:

    .venv/bin/python bench/handover_matchers.py --known 100000 --runs 3

Same store and same 571-line manifest as ``bench/handover_bench.py`` (same
seed): ``--known`` persons in 汉字 with resident IDs, 2,000 open warrants, 286
manifest lines that are known persons in partner spellings and 285 that are not.
Three matchers decide, for every line, which known person (if any) it is:

- ``qbe``: today's import, :func:`scamnet.cases.handovers.import_batch` (blocking
  in :class:`~scamnet.cases.matching.KnownIndex`, hand-set weights of
  :mod:`scamnet.resolve.match`, threshold 0.9), timed as the whole import and,
  separately, as load-and-match only;
- ``splink``: the Splink model of :mod:`scamnet.resolve.model`, trained once on
  the store's records (not timed with the matching; reported apart), then
  ``find_matches_to_new_records`` for the 571 lines at once against the known
  persons, top pair at probability ≥ 0.5 (the resolution's threshold);
- ``middle``: today's blocking keys, each candidate scored with the Splink
  model's learned m/u weights (its comparison levels evaluated in Python), same
  threshold. The levels are checked against Splink's own ``compare_two_records``
  on a sample of pairs, whose cost per pair is reported too.

Every timed section starts with the name-form cache cleared, as a fresh process
would. Recall counts known lines matched to their own record; false matches are
unknown lines matched to anyone, wrong matches known lines matched to another.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from handover_bench import build, manifest
from rapidfuzz.distance import JaroWinkler
from splink import DuckDBAPI, Linker

from scamnet.cases.handovers import import_batch
from scamnet.cases.matching import _block_keys  # the exact blocking under test, not a copy
from scamnet.core.access import Actor
from scamnet.core.description import Description, SourceRecord
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.resolve import model as er_model
from scamnet.resolve.names import forget_name_forms
from scamnet.resolve.records import FORM_SLOTS, SCHEMA, record_row, record_table
from scamnet.resolve.run import THRESHOLD
from scamnet.simulate.names import latin_variant
from scamnet.store import Store
from scamnet.store.uow import SqlUnitOfWork

Decisions = dict[int, int | None]  # manifest seq → matched person id, or None
KNOWN_LINES = 286


def known_records(s: Any) -> list[SourceRecord]:
    """The known persons as resolution records, read from the store like the import does."""
    out = []
    for pid, d in SqlUnitOfWork(s).person_index.persons():
        rid = next((x for x in d.documents if len(x) == 18), None)
        out.append(SourceRecord(f"person:{pid}", "persons", d.names[0], d.birth_date, rid))
    return out


def query_records(lines: list[ManifestLine]) -> list[dict[str, Any]]:
    recs = [
        SourceRecord(f"query:{ln.seq}", "handovers", ln.name, ln.birth_date, None, ln.document)
        for ln in lines
    ]
    return [row for r in recs if (row := record_row(r)) is not None]


def train_records(
    people: list[tuple[int, str, date]], earlier: int, rng: random.Random
) -> list[SourceRecord]:
    """What ``scamnet resolve persons`` would see: persons, warrants, earlier batches' lines."""
    recs = [SourceRecord(f"person:{p}", "persons", n, d, f"ID{p:016d}") for p, n, d in people]
    recs += [SourceRecord(f"warrant:W{i:06d}", "wanted", n, d) for i, (_p, n, d) in
             enumerate(people[:2000])]  # fmt: skip
    for b in range(earlier):  # earlier handovers: cross-script examples for EM to learn from
        for seq, (_p, han, born) in enumerate(rng.sample(people, 286), start=1):
            if rng.random() < 0.1 and born.day <= 12:
                born = date(born.year, born.day, born.month)
            name = latin_variant(han, rng.choice(("pinyin", "swapped", "wade_giles", "typo")), rng)
            recs.append(SourceRecord(f"manifest:E{b}#{seq}", "handovers", name, born))
    return recs


Took = tuple[float, float]  # wall seconds, CPU seconds of this process (all its threads)


def clock() -> Took:
    return time.perf_counter(), time.process_time()


def since(began: Took) -> Took:
    """Wall and CPU time since ``began``: on a shared machine the CPU time is the steadier."""
    return time.perf_counter() - began[0], time.process_time() - began[1]


# --- matcher 1: today's import -------------------------------------------------------


def run_qbe(db: Path, run: int, lines: list[ManifestLine]) -> tuple[Took, Decisions]:
    store = Store(f"sqlite:///{db}")
    began = clock()
    with store.session() as s:
        header = BatchHeader(f"H-{run}", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH")
        import_batch(SqlUnitOfWork(s), Actor("bench", "CN-YN-DH"), header, lines)
    took = since(began)
    with store.session() as s:
        got = {e.seq: e.person_id for e in SqlUnitOfWork(s).handovers.entries(f"H-{run}")}
    store.dispose()
    return took, got


def run_qbe_match_only(db: Path, lines: list[ManifestLine]) -> tuple[Took, Decisions]:
    from scamnet.cases.matching import load_known

    store = Store(f"sqlite:///{db}")
    began = clock()
    with store.session() as s:
        known = load_known(SqlUnitOfWork(s).person_index)
        got: Decisions = {}
        for ln in lines:
            best = known.best_person(Description((ln.name,), ln.birth_date))
            got[ln.seq] = int(best.ref.split(":")[1]) if best else None
    took = since(began)
    store.dispose()
    return took, got


# --- matcher 2: Splink real-time ------------------------------------------------------


def run_splink(
    db: Path, model: dict[str, Any], lines: list[ManifestLine]
) -> tuple[Took, Decisions, int]:
    store = Store(f"sqlite:///{db}")
    began = clock()
    with store.session() as s:
        table = record_table(known_records(s))
    con = duckdb.connect()
    con.register("records_arrow", table)
    con.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
    linker = Linker("records", model, db_api=DuckDBAPI(connection=con), set_up_basic_logging=False)
    frame = linker.inference.find_matches_to_new_records(
        query_records(lines), blocking_rules=[*er_model.BLOCKS], match_weight_threshold=-10
    )
    rows = frame.as_duckdbpyrelation().to_arrow_table().to_pylist()
    got = top_pairs(((r["uid_l"], r["uid_r"], float(r["match_weight"])) for r in rows), lines)
    took = since(began)
    con.close()
    store.dispose()
    return took, got, len(rows)


def top_pairs(rows: Any, lines: list[ManifestLine]) -> Decisions:
    """Each line's best-weighted person, if its probability reaches the threshold."""
    best: dict[int, tuple[float, int]] = {}
    for a, b, weight in rows:
        q, k = (a, b) if a.startswith("query:") else (b, a)
        seq, pid = int(q.split(":")[1]), int(k.split(":")[1])
        if seq not in best or (weight, -pid) > (best[seq][0], -best[seq][1]):
            best[seq] = (weight, pid)
    cut = math.log2(THRESHOLD / (1 - THRESHOLD))
    return {ln.seq: (best[ln.seq][1] if ln.seq in best and best[ln.seq][0] >= cut else None)
            for ln in lines}  # fmt: skip


# --- matcher 3: today's blocking, Splink's weights ------------------------------------


class SplinkWeights:
    """The model's log2 Bayes factor for each comparison level, applied in Python."""

    def __init__(self, model: dict[str, Any]) -> None:
        lam = float(model["probability_two_random_records_match"])
        self.prior = math.log2(lam / (1 - lam))
        # Splink's own settings object: levels it could not train (a document never
        # shared in the blocks) get its default m and u there, not in the JSON.
        linker = Linker(
            pa.Table.from_pylist([], schema=SCHEMA),
            model,
            db_api=DuckDBAPI(),
            set_up_basic_logging=False,
        )
        self.levels: dict[str, list[float]] = {
            comp.output_column_name: [
                lv._log2_bayes_factor for lv in comp.comparison_levels if not lv.is_null_level
            ]
            for comp in linker._settings_obj.comparisons
        }

    def weight(self, q: dict[str, Any], k: dict[str, Any]) -> float:
        w = self.prior + self.levels["name"][_name_level(q, k)]
        if q["dob"] is not None and k["dob"] is not None:
            w += self.levels["dob"][_dob_level(q, k)]
        for col in er_model.EXACT_LEVELS:
            if q[col] is not None and k[col] is not None:
                w += self.levels[col][0 if q[col] == k[col] else 1]
        return w


_SLOTS = [f"f{i}" for i in range(1, FORM_SLOTS + 1)]


def _name_level(q: dict[str, Any], k: dict[str, Any]) -> int:
    """Index of the first name level that holds, in the model's order (top level first)."""
    if q["han"] is not None and q["han"] == k["han"]:
        return 0
    qs, ks = [q[s] for s in _SLOTS], [k[s] for s in _SLOTS]
    if set(qs) & set(ks):
        return 1
    best = max(JaroWinkler.similarity(a, b) for a in qs for b in ks)
    return 2 if best >= 0.95 else 3 if best >= 0.88 else 4 if best >= 0.75 else 5


def _dob_level(q: dict[str, Any], k: dict[str, Any]) -> int:
    if q["dob"] == k["dob"]:
        return 0
    if q["dob"] == k["dob_swap"]:
        return 1
    return 2 if q["dob"].year == k["dob"].year else 3


def run_middle(
    db: Path, weights: SplinkWeights, lines: list[ManifestLine]
) -> tuple[Took, Decisions, list[tuple[dict[str, Any], dict[str, Any]]]]:
    store = Store(f"sqlite:///{db}")
    began = clock()
    with store.session() as s:
        persons = SqlUnitOfWork(s).person_index.persons()
    rows: dict[int, dict[str, Any]] = {}
    blocks: dict[str, list[int]] = defaultdict(list)
    for pid, d in persons:
        rid = next((x for x in d.documents if len(x) == 18), None)
        row = record_row(SourceRecord(f"person:{pid}", "persons", d.names[0], d.birth_date, rid))
        if row is not None:
            rows[pid] = row
            for key in _block_keys(d, query=False):
                blocks[key].append(pid)
    got: Decisions = {}
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    cut = math.log2(THRESHOLD / (1 - THRESHOLD))
    for ln, q in zip(lines, query_records(lines), strict=True):
        pool = sorted({p for key in _block_keys(Description((ln.name,), ln.birth_date), True)
                       for p in blocks.get(key, ())})  # fmt: skip
        scored = [(weights.weight(q, rows[p]), p) for p in pool]
        pairs += [(q, rows[p]) for p in pool]
        w, pid = max(scored, key=lambda t: (t[0], -t[1]), default=(-math.inf, 0))
        got[ln.seq] = pid if w >= cut else None
    took = since(began)
    store.dispose()
    return took, got, pairs


def check_levels(
    model: dict[str, Any],
    weights: SplinkWeights,
    sample: list[tuple[dict[str, Any], dict[str, Any]]],
) -> tuple[float, float]:
    """Largest |weight difference| against Splink's compare_two_records, and its seconds per pair."""
    con = duckdb.connect()
    con.register("one_arrow", pa.Table.from_pylist([sample[0][1]]))
    con.execute("CREATE TABLE records AS SELECT * FROM one_arrow")
    linker = Linker("records", model, db_api=DuckDBAPI(connection=con), set_up_basic_logging=False)
    worst, began = 0.0, time.perf_counter()
    for q, k in sample:
        frame = linker.inference.compare_two_records(q, k)
        row = frame.as_duckdbpyrelation().to_arrow_table().to_pylist()[0]
        worst = max(worst, abs(float(row["match_weight"]) - weights.weight(q, k)))
    per_pair = (time.perf_counter() - began) / len(sample)
    con.close()
    return worst, per_pair


# --- scoring and report ---------------------------------------------------------------


def score(got: Decisions, truth: dict[int, int]) -> tuple[int, int, int]:
    """(right, wrong among known lines, false matches among unknown lines)."""
    right = sum(got.get(seq) == pid for seq, pid in truth.items())
    wrong = sum(got.get(seq) not in (None, pid) for seq, pid in truth.items())
    false = sum(got.get(seq) is not None for seq in got if seq not in truth)
    return right, wrong, false


def timed_cold(fn: Callable[[], Any]) -> Any:
    forget_name_forms()  # each matcher pays for its own name forms, as a fresh process
    return fn()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--known", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--earlier-batches", type=int, default=1,
                    help="earlier handover batches among the training records")  # fmt: skip
    ap.add_argument("--check-pairs", type=int, default=200)
    ap.add_argument("--model", type=Path, help="a saved model instead of training (smoke runs)")
    ap.add_argument("--save-model", type=Path, help="keep the trained model")
    args = ap.parse_args()
    rng = random.Random(2023)  # noqa: S311 - the same population and manifest as handover_bench
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        people = build(base, args.known, rng)
        lines, truth = manifest(people, rng)
        # Unknown lines get new persons; the import gives them ids above the known ones.
        unknown_as_new = {seq: None for seq in range(KNOWN_LINES + 1, 572)}

        began = clock()
        trng = random.Random(7)  # noqa: S311 - earlier batches, disjoint from the bench's rng
        if args.model:
            model = er_model.load(args.model)
        else:
            model = er_model.train(record_table(train_records(people, args.earlier_batches, trng)))
        train_s = since(began)
        if args.save_model:
            er_model.save(model, args.save_model)
        weights = SplinkWeights(model)

        t: dict[str, list[Took]] = defaultdict(list)
        res: dict[str, tuple[int, int, int]] = {}
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        n_rows = 0
        for run in range(args.runs):
            db = Path(tmp) / f"run{run}.db"
            shutil.copy(base, db)
            took, got = timed_cold(lambda: run_qbe(db, run, lines))  # noqa: B023
            got = {s: (p if p is not None and p <= args.known else None) for s, p in got.items()}
            t["qbe import"].append(took)
            res["qbe import"] = score({**unknown_as_new, **got}, truth)
            took, got = timed_cold(lambda: run_qbe_match_only(base, lines))
            t["qbe match"].append(took)
            res["qbe match"] = score(got, truth)
            took, got, n_rows = timed_cold(lambda: run_splink(base, model, lines))
            t["splink"].append(took)
            res["splink"] = score(got, truth)
            took, got, pairs = timed_cold(lambda: run_middle(base, weights, lines))
            t["middle"].append(took)
            res["middle"] = score(got, truth)
            print(
                f"run {run}: " + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in t.items()),
                flush=True,
            )

        sample = random.Random(1).sample(pairs, min(args.check_pairs, len(pairs)))  # noqa: S311
        worst, per_pair = check_levels(model, weights, sample)

        print(f"\nknown persons: {args.known:,}; manifest: 571 lines, {len(truth)} known, "
              f"{571 - len(truth)} unknown; training records: persons, 2,000 warrants, "
              f"{args.earlier_batches} earlier batch(es) of 286 lines")  # fmt: skip
        print(f"splink training (once, not in the timings): wall {train_s[0]:.1f} s, "
              f"CPU {train_s[1]:.1f} s; lambda "
              f"{model['probability_two_random_records_match']:.2e}")  # fmt: skip
        report(t, res, len(truth))
        print(f"splink pairs scored per run: {n_rows:,}; middle-way pairs: {len(pairs):,}")
        print(f"compare_two_records on {len(sample)} middle-way pairs: {per_pair * 1000:.1f} ms "
              f"per pair (≈ {per_pair * len(pairs):.0f} s for all); largest weight difference "
              f"from the Python levels {worst:.2e}")  # fmt: skip


def report(t: dict[str, list[Took]], res: dict[str, tuple[int, int, int]], known: int) -> None:
    """One Markdown row per matcher: wall and CPU medians as ratios to today's import."""
    wall0 = statistics.median(w for w, _c in t["qbe import"])
    cpu0 = statistics.median(c for _w, c in t["qbe import"])
    print("| Matcher | Wall s per run | Wall median | CPU s median | vs import (wall / CPU) "
          "| Right | Wrong | False |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for key, times in t.items():
        right, wrong, false = res[key]
        wall = statistics.median(w for w, _c in times)
        cpu = statistics.median(c for _w, c in times)
        print(f"| {key} | {', '.join(f'{w:.2f}' for w, _c in times)} | {wall:.2f} | {cpu:.2f} | "
              f"{wall / wall0:.2f}× / {cpu / cpu0:.2f}× | {right}/{known} ({right / known:.1%}) "
              f"| {wrong} | {false}/{571 - known} |")  # fmt: skip


if __name__ == "__main__":
    main()

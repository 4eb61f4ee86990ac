"""Statistical properties of the simulated world, checked against its ground truth."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from scamnet.core.identifiers import Imei, Phone
from scamnet.simulate import PRESETS, SimulationSummary, simulate
from scamnet.simulate.baseline import (
    distinct_callees_auc,
    roc_auc,
    subscriber_table,
)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def messy_lines(world: Path, name: str) -> set[int]:
    return {int(r["line"]) for r in read(world / "truth" / "messy.csv") if r["file"] == name}


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "world.json"):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_tiny_world_has_every_file(tiny_world: tuple[Path, SimulationSummary]) -> None:
    world, summary = tiny_world
    for name in ("cells.csv", "messages.csv", "transfers.csv", "reports.csv", "persons.csv",
                 "wanted.csv", "handovers.csv", "world.json"):  # fmt: skip
        assert (world / name).stat().st_size > 0, name
    assert list((world / "calls").glob("calls-*.csv"))
    for name in ("subscribers", "persons", "groups", "sites", "accounts", "money_flows",
                 "messages", "events", "record_links", "messy", "reports", "handsets"):  # fmt: skip
        assert (world / "truth" / f"{name}.csv").exists(), name
    assert summary.counts["calls"] > 50_000


def test_same_seed_same_world_other_seed_other_world(tmp_path: Path) -> None:
    config = PRESETS["tiny"].with_overrides(subscribers=400, days=3, messages=200)
    simulate(config, tmp_path / "a")
    simulate(config, tmp_path / "b")
    simulate(config.with_overrides(seed=8), tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_contact_degrees_are_heavy_tailed(tiny_world: tuple[Path, SimulationSummary]) -> None:
    table = subscriber_table(tiny_world[0]).fetchnumpy()
    normal = table["is_fraud"] == 0
    degree = np.sort(table["distinct_callees"][normal].astype(float))
    median = np.median(degree)
    # A Poisson degree of the same mean would put nobody beyond five medians.
    assert np.percentile(degree, 99) >= 4 * median
    assert (degree > 5 * median).mean() > 0.005
    top = degree[-max(1, len(degree) // 100) :].sum() / degree.sum()
    assert top > 0.05  # the top 1% hold far more than 1% of the ties


def test_operators_rarely_get_called_back(tiny_world: tuple[Path, SimulationSummary]) -> None:
    world = tiny_world[0]
    table = subscriber_table(world).fetchnumpy()
    kinds = {r["msisdn"]: r["kind"] for r in read(world / "truth" / "subscribers.csv")}
    rates = {r["msisdn"]: float(r["person_id"]) for r in read(world / "truth" / "subscribers.csv")}
    del rates
    persons = {r["person_id"]: r["role"] for r in read(world / "truth" / "persons.csv")}
    sub_person = {r["msisdn"]: r["person_id"] for r in read(world / "truth" / "subscribers.csv")}
    cb = defaultdict(list)
    for caller, ratio in zip(table["caller"], table["callback_ratio"], strict=True):
        kind = kinds[caller]
        if kind == "fraud" and persons.get(sub_person[caller]) != "member":
            continue  # leaders mostly call inside the group, which does call back
        cb[kind].append(float(ratio))
    assert np.median(cb["fraud"]) < 0.25 * np.median(cb["normal"])
    assert np.median(cb["normal"]) > 0.5


def test_money_is_conserved_along_mule_chains(tiny_world: tuple[Path, SimulationSummary]) -> None:
    world = tiny_world[0]
    flows = read(world / "truth" / "money_flows.csv")
    mules = {r["account"] for r in flows if r["kind"] in ("mule1", "mule2")}
    assert mules
    for r in flows:
        if r["account"] in mules:
            assert Decimal(r["total_in"]) == Decimal(r["total_out"]) + Decimal(r["retained"])


def test_money_is_conserved_in_the_observed_transfers(tmp_path: Path) -> None:
    """With no deliberate corruption, every mule's recorded outflow plus its commission
    equals its inflow, to the cent."""
    simulate(PRESETS["tiny"].with_overrides(messy_rate=0.0, days=4), tmp_path)
    flows = {r["account"]: r for r in read(tmp_path / "truth" / "money_flows.csv")}
    inflow: dict[str, Decimal] = defaultdict(Decimal)
    outflow: dict[str, Decimal] = defaultdict(Decimal)
    for row in read(tmp_path / "transfers.csv"):
        inflow[row["target"]] += Decimal(row["amount"])
        outflow[row["source"]] += Decimal(row["amount"])
    mules = [a for a, r in flows.items() if r["kind"] in ("mule1", "mule2")]
    assert len(mules) >= 5
    for acct in mules:
        assert inflow[acct] == outflow[acct] + Decimal(flows[acct]["retained"])
        assert inflow[acct] == Decimal(flows[acct]["total_in"])


def test_messy_rows_are_really_bad_and_the_rest_clean(
    tiny_world: tuple[Path, SimulationSummary],
) -> None:
    world = tiny_world[0]
    path = sorted((world / "calls").glob("calls-*.csv"))[1]
    name = f"calls/{path.name}"
    bad = messy_lines(world, name)
    assert bad
    seen: set[bytes] = set()
    lines = path.read_bytes().split(b"\n")[:-1]
    for line_no, raw in enumerate(lines, start=1):
        if line_no == 1:
            continue
        problem = _call_problem(raw, seen)
        seen.add(raw)
        if line_no in bad:
            assert problem, f"line {line_no} is listed as messy but is valid: {raw!r}"
        elif line_no % 7 == 0:  # a sample: validating every number is slow
            assert not problem, f"line {line_no} is not listed but is bad ({problem}): {raw!r}"


def _call_problem(raw: bytes, seen: set[bytes]) -> str:
    if raw in seen:
        return "duplicate"
    try:
        fields = raw.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return "encoding"
    if len(fields) != 6 or not all(fields[:4]):
        return "fields"
    try:
        Phone.parse(fields[0])
        Phone.parse(fields[1])
        Imei.parse(fields[4])
        np.datetime64(fields[2].replace(" ", "T").rstrip("Z"))
    except ValueError as exc:
        return str(exc)
    return "" if fields[3].isdigit() else "duration"


def test_all_numbers_are_valid(tiny_world: tuple[Path, SimulationSummary]) -> None:
    subs = read(tiny_world[0] / "truth" / "subscribers.csv")
    regions = {Phone.parse(r["msisdn"]).region for r in subs}
    assert regions == {"CN", "MM"}


def test_handed_over_population_is_calibrated(demo_world: Path) -> None:
    persons = {r["person_id"]: r for r in read(demo_world / "truth" / "persons.csv")}
    events = read(demo_world / "truth" / "events.csv")
    warranted = {e["person_id"] for e in events if e["event"] == "warrant"}
    handed = [e["person_id"] for e in events if e["event"] == "handed_over"]
    manifest_lines = (demo_world / "handovers.csv").read_bytes().count(b"\n") - 1
    assert len(handed) == manifest_lines - len(
        [m for m in read(demo_world / "truth" / "messy.csv") if m["file"] == "handovers.csv"
         and m["defect"] == "duplicate"]
    )  # fmt: skip
    key = sum(persons[p]["role"] in ("mastermind", "organiser", "key_member") for p in handed)
    fugitives = sum(p in warranted for p in handed)
    assert 0.001 <= key / len(handed) <= 0.004  # reference: 63 / 31,000 = 0.20%
    assert 0.04 <= fugitives / len(handed) <= 0.06  # reference: 1,531 / 31,000 = 4.9%
    assert any(e["event"] == "deceased" for e in events)


def test_one_feature_is_not_enough_but_a_model_is(demo_world: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import cross_val_predict

    # The table is read once (reading the world's CSVs is most of this test's time).
    data = subscriber_table(demo_world).fetchnumpy()
    auc = distinct_callees_auc(data)
    assert 0.75 <= auc <= 0.9
    names = ["calls_out", "distinct_callees", "short_ratio", "foreign_cell_ratio", "callback_ratio"]
    features = np.column_stack([data[n].astype(float) for n in names])
    labels = data["is_fraud"].astype(int)
    scores = cross_val_predict(
        HistGradientBoostingClassifier(random_state=0), features, labels, cv=5,
        method="predict_proba",
    )[:, 1]  # fmt: skip
    assert roc_auc(labels, scores) >= auc + 0.08


def test_roc_auc_matches_a_known_case() -> None:
    labels = np.array([0, 0, 1, 1])
    assert roc_auc(labels, np.array([0.1, 0.4, 0.35, 0.8])) == 0.75
    assert roc_auc(labels, np.array([1.0, 1.0, 1.0, 1.0])) == 0.5


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="200 subscribers"):
        PRESETS["tiny"].with_overrides(subscribers=5)

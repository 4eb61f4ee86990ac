"""Shared handsets in every world, and what makes the hard preset hard, checked in
the observable files against the ground truth."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from scamnet.simulate import PRESETS, SimulationSummary, simulate
from scamnet.simulate.numbering import CN_NEW_PREFIXES


def read(path: Path) -> list[dict[str, str]]:
    """Rows of a world file; the few bytes messy rows put out of UTF-8 are replaced."""
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return list(csv.DictReader(fh))


def handset_days(world: Path) -> dict[tuple[str, str], set[str]]:
    """(IMEI, number) → the days it was seen in the call records (messy rows skipped)."""
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted((world / "calls").glob("calls-*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("imei") and row.get("caller") and row.get("start"):
                    seen[(row["imei"], row["caller"])].add(row["start"][:10])
    return seen


@pytest.fixture(scope="module")
def hard_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hard")
    config = PRESETS["hard"].with_overrides(
        subscribers=3_000, days=14, groups=2, workers_per_group=40, messages=3_000
    )
    simulate(config, out)
    return out


def test_cloned_and_resold_handsets_are_shared_with_ordinary_people(
    tiny_world: tuple[Path, SimulationSummary],
) -> None:
    world = tiny_world[0]
    subs = {r["msisdn"]: r for r in read(world / "truth" / "subscribers.csv")}
    shared = read(world / "truth" / "handsets.csv")
    assert {r["kind"] for r in shared} == {"cloned", "resold"}
    seen = handset_days(world)
    users: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for (imei, number), days in seen.items():
        users[imei][number] = days
    for r in shared:
        assert subs[r["msisdn"]]["kind"] == "normal"
        fraud = {
            n: d for n, d in users[r["imei"]].items() if subs.get(n, {}).get("is_fraud") == "1"
        }
        ordinary = users[r["imei"]].get(r["msisdn"], set())
        assert fraud and ordinary, r  # the compound and the ordinary subscriber both use it
        if r["kind"] == "resold":  # bought once the compound's SIMs were burnt
            assert min(ordinary) > max(max(d) for d in fraud.values())
    # Apart from those, no two people share an IMEI by accident.
    listed = {r["imei"] for r in shared}
    for imei, numbers in users.items():
        kinds = {subs[n]["is_fraud"] for n in numbers if n in subs}
        assert imei in listed or kinds != {"0", "1"}, imei


def test_imitators_are_called_back_like_people(hard_world: Path) -> None:
    subs = {r["msisdn"]: r for r in read(hard_world / "truth" / "subscribers.csv")}
    placed: dict[str, int] = defaultdict(int)
    returned: dict[str, int] = defaultdict(int)
    calls = read(sorted((hard_world / "calls").glob("calls-*.csv"))[3])
    pairs = {(r["caller"], r["callee"]) for r in calls}
    for r in calls:
        placed[r["caller"]] += 1
        returned[r["caller"]] += (r["callee"], r["caller"]) in pairs
    share = {}
    for flag in ("0", "1"):
        numbers = [n for n, r in subs.items() if r["is_fraud"] == "1" and r["imitates"] == flag]
        share[flag] = sum(returned[n] for n in numbers) / max(1, sum(placed[n] for n in numbers))
    assert share["1"] > 2 * share["0"]


def test_victims_name_wrong_numbers_and_new_sims_come_from_new_ranges(hard_world: Path) -> None:
    subs = {r["msisdn"]: r for r in read(hard_world / "truth" / "subscribers.csv")}
    reports = {r["report_id"]: r for r in read(hard_world / "reports.csv") if r.get("report_id")}
    wrong = [t for t in read(hard_world / "truth" / "reports.csv") if t["wrong_number"] == "1"]
    assert wrong
    for t in wrong:
        if t["report_id"] in reports:
            assert subs[reports[t["report_id"]]["scammer_phone"]]["is_fraud"] == "0"
    late = [n for n, r in subs.items() if r["is_fraud"] == "1" and int(r["active_from"]) >= 7]
    fresh = {f"+86{p}" for p in CN_NEW_PREFIXES.tolist()}
    assert late and all(n[:6] in fresh for n in late if n.startswith("+86"))
    early = [n for n, r in subs.items() if r["is_fraud"] == "1" and int(r["active_from"]) < 7]
    assert not any(n[:6] in fresh for n in early)


def test_groups_write_new_scripts_in_the_second_week(hard_world: Path) -> None:
    sent = {r["message_id"]: r["sent_at"] for r in read(hard_world / "messages.csv")}
    types: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for t in read(hard_world / "truth" / "messages.csv"):
        if (
            t["group_id"] != "-1"
            and t["message_id"] in sent
            and sent[t["message_id"]][:4] == "2023"
        ):
            types[(t["group_id"], sent[t["message_id"]] >= "2023-10-08")].add(t["label"])
    assert any(types[(g, False)] != types[(g, True)] for g in ("0", "1"))


def test_imitators_carry_one_domestic_phone_about_and_send_no_blasts(hard_world: Path) -> None:
    subs = {r["msisdn"]: r for r in read(hard_world / "truth" / "subscribers.csv")}
    imitators = {n for n, r in subs.items() if r["imitates"] == "1"}
    assert imitators and all(n.startswith("+86") for n in imitators)
    cells: dict[str, set[str]] = defaultdict(set)
    for path in sorted((hard_world / "calls").glob("calls-*.csv")):
        for row in read(path):
            if row.get("caller") in imitators and row.get("cell_id"):
                cells[row["caller"]].add(row["cell_id"])
    # A phone in a pocket roams over its province's cells; a relay box sits on one.
    roaming = [n for n in imitators if len(cells[n]) >= 2]
    assert len(roaming) > 0.8 * len(imitators)
    truth = {r["message_id"]: r for r in read(hard_world / "truth" / "messages.csv")}
    scam_senders = {
        r["sender"] for r in read(hard_world / "messages.csv")
        if truth.get(r["message_id"], {}).get("group_id", "-1") != "-1"
    }  # fmt: skip
    assert scam_senders and not scam_senders & imitators


def test_ordinary_people_call_strangers_when_asked(tmp_path: Path) -> None:
    def callees(world: Path) -> float:
        subs = {r["msisdn"]: r for r in read(world / "truth" / "subscribers.csv")}
        called: dict[str, set[str]] = defaultdict(set)
        for path in sorted((world / "calls").glob("calls-*.csv")):
            for row in read(path):
                if subs.get(row.get("caller", ""), {}).get("kind") == "normal":
                    called[row["caller"]].add(row.get("callee", ""))
        return sum(map(len, called.values())) / len(called)

    config = PRESETS["tiny"].with_overrides(days=4)
    simulate(config, tmp_path / "plain")
    simulate(config.with_overrides(ordinary_strangers=0.3), tmp_path / "strangers")
    # The same people with the same contacts: calls outside them reach more numbers.
    assert callees(tmp_path / "strangers") > 1.2 * callees(tmp_path / "plain")

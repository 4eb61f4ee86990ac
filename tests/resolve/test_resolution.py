"""Entity resolution: names across scripts, clusters, stable ids, judgements, the model."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.core.identifiers.phone import Phone
from scamnet.resolve.cluster import cluster, stable_ids
from scamnet.resolve.evaluate import cross_script, pair_sets, read_links, scores
from scamnet.resolve.names import name_similarity
from scamnet.resolve.run import resolve
from scamnet.store import Store
from scamnet.store.resolution import ResolutionRepository, source_records
from tests.resolve.conftest import World
from tests.support.users import register

runner = CliRunner()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("明学昌", "Ming Xuechang"),
        ("明学昌", "XUECHANG MING"),
        ("明学昌", "Ming Hsüeh-ch'ang"),
        ("明学昌", "Ming Hsueh-chang"),
        ("明学昌", "Míng Xuéchāng"),
        ("明学昌", "MingXuechang"),
        ("明学昌", "Ming Xue-chang"),
    ],
)
def test_one_name_in_many_spellings(a: str, b: str) -> None:
    assert name_similarity(a, b) == 1.0


def test_different_names_and_homophones_stay_apart() -> None:
    assert name_similarity("明学昌", "王伟") < 0.5
    assert name_similarity("张伟", "章伟") < 0.9  # same pinyin, different characters
    assert 0.9 < name_similarity("明学昌", "Mng Xuechang") < 1.0  # a typo costs a little


def test_cannot_link_beats_the_model_and_must_link_beats_it_too() -> None:
    pairs = [("a", "b", 0.99), ("b", "c", 0.98), ("c", "d", 0.2)]
    assert len(set(cluster("abcd", pairs, 0.5).values())) == 2
    split = cluster("abcd", pairs, 0.5, not_same=[("a", "c")])
    assert split["a"] == split["b"] and split["c"] != split["a"]
    joined = cluster("abcd", pairs, 0.5, same=[("c", "d")])
    assert joined["c"] == joined["d"]


def test_ids_survive_reruns_splits_and_merges() -> None:
    first = stable_ids({"a": "a", "b": "a", "c": "c"}, {})
    again = stable_ids({"a": "x", "b": "x", "c": "y"}, first)
    assert again == first
    split = stable_ids({"a": "a", "b": "b", "c": "c"}, {**first, "z": "RP-000009"})
    assert split["a"] == first["a"] and split["b"] not in (first["a"], first["c"])
    assert split["b"] == "RP-000010"  # numbers are never reused


@given(
    st.lists(
        st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef"), st.floats(0, 1)),
        max_size=20,
    ),
    st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef")), max_size=4),
)
def test_not_same_pairs_never_share_a_cluster(
    pairs: list[tuple[str, str, float]], apart: list[tuple[str, str]]
) -> None:
    apart = [(a, b) for a, b in apart if a != b]
    got = cluster("abcdef", pairs, 0.5, not_same=apart)
    assert all(got[a] != got[b] for a, b in apart)


def _pairwise_f1(world: World, clusters: dict[str, str]) -> tuple[float, float]:
    pp, tp = pair_sets(clusters, read_links(world.path))
    return scores(pp, tp)[2], scores(cross_script(pp), cross_script(tp))[2]


def test_person_records_carry_their_phone(people_world: World) -> None:
    # Identifiers are stored under the Phone kind ("tel"); reading another kind left
    # every record without a phone, so Splink never compared or blocked on phones.
    with (people_world.path / "persons.csv").open(encoding="utf-8") as fh:
        listed = {f"person:{r['source_agency']}:{r['record_id']}": r["phone"]
                  for r in csv.DictReader(fh) if r["phone"]}  # fmt: skip
    store = Store(f"sqlite:///{people_world.data_dir / 'scamnet.db'}")
    with store.session() as s:
        phones = {r.uid: r.phone for r in source_records(s) if r.uid in listed}
    store.dispose()
    assert len(listed) > 20 and len(phones) > 0.9 * len(listed)  # a few rows are messy
    assert all(phones[u] == Phone.parse(listed[u]).value for u in phones), phones


def test_splink_model_resolves_the_world(people: World) -> None:
    store = Store(f"sqlite:///{people.data_dir / 'scamnet.db'}")
    with store.session() as s:
        records = source_records(s)
    result = resolve(records, {}, [], [])
    f1, cross_f1 = _pairwise_f1(people, result.clusters)
    # A world the model was not designed on; the benchmark reports three more.
    assert f1 >= 0.95 and cross_f1 >= 0.95, (f1, cross_f1)
    # Reasons are in words.
    best = max(result.pairs, key=lambda p: p.probability)
    assert best.reasons and all(isinstance(r, str) for r in best.reasons)
    store.dispose()


def test_commands_keep_ids_and_apply_judgements(people: World) -> None:
    args = ["--data-dir", str(people.data_dir), "--agency", "CN-YN-DH"]
    first = runner.invoke(app, ["resolve", "persons", *args])
    assert first.exit_code == 0, first.output
    store = Store(f"sqlite:///{people.data_dir / 'scamnet.db'}")
    with store.session() as s:
        before = ResolutionRepository(s).clusters()
    groups = defaultdict(list)
    for uid, cid in before.items():
        groups[cid].append(uid)
    cid, members = next((c, sorted(m)) for c, m in sorted(groups.items()) if len(m) >= 2)
    judged = runner.invoke(app, ["resolve", "judge", members[0], members[1], "not-same", *args])
    assert judged.exit_code == 0, judged.output
    again = runner.invoke(app, ["resolve", "persons", *args], env={"COLUMNS": "200"})
    assert again.exit_code == 0 and "1 analysts' judgements applied" in again.output
    with store.session() as s:
        after = ResolutionRepository(s).clusters()
    assert after[members[0]] != after[members[1]]
    unchanged = [u for u, c in before.items() if c != cid]
    assert all(after[u] == before[u] for u in unchanged)  # everyone else keeps their id
    store.dispose()


def test_query_by_example(people: World) -> None:
    args = ["--data-dir", str(people.data_dir), "--agency", "CN-YN-DH"]
    assert runner.invoke(app, ["resolve", "persons", *args]).exit_code == 0
    with (people.path / "wanted.csv").open(encoding="utf-8") as fh:
        wanted = next(csv.DictReader(fh))
    out = runner.invoke(
        app,
        ["resolve", "match", "--name", wanted["pinyin"], "--dob", wanted["birth_date"], *args],
        env={"COLUMNS": "250"},
    )
    assert out.exit_code == 0, out.output
    assert f"warrant:{wanted['warrant_id']}" in out.output
    assert "same name across scripts" in out.output and "same birth date" in out.output


def test_match_needs_a_model(tmp_path: Path) -> None:
    runner.invoke(app, ["db", "upgrade", "--data-dir", str(tmp_path)])
    register(tmp_path)
    out = runner.invoke(
        app,
        ["resolve", "match", "--name", "x", "--data-dir", str(tmp_path), "--agency", "CN-YN-DH"],
    )
    assert out.exit_code == 1 and "resolve persons" in out.output

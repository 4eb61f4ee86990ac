"""Each person's name keeps its matching key, equal to the one computed afresh; the
0013 migration gives existing names theirs; and matching against only the persons
that share a block finds the same candidates as matching against everyone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from scamnet.cases.matching import load_known
from scamnet.core.description import Description
from scamnet.core.entities import Person, PersonName
from scamnet.core.names import forget_name_forms, name_forms, name_key, stored_forms
from scamnet.simulate.names import VARIANTS, han_name, latin_variant
from scamnet.store import Store
from scamnet.store.models import PersonNameRow, PersonRow
from scamnet.store.persons import PersonRepository, bulk_load
from scamnet.store.uow import SqlUnitOfWork

NAMES = ["明学昌", "张 伟", "Ming Xuechang", "XUECHANG MING", "Ming Hsueh-chang", "Su Dejuan",
         "Nguyễn Văn An", "李", ""]  # fmt: skip


def _fresh(texts: list[str]) -> dict[str, tuple[str, str]]:
    forget_name_forms()  # computed now, not remembered from the write
    return {t: (name_forms(t).key, " ".join(name_forms(t).forms)) for t in texts}


def _kept(store: Store) -> dict[str, tuple[str | None, str | None]]:
    query = select(PersonNameRow.text, PersonNameRow.name_key, PersonNameRow.name_forms)
    with store.session() as s:
        return {t: (k, f) for t, k, f in s.execute(query)}


def test_names_written_keep_the_key_computed_afresh(store: Store) -> None:
    with store.session() as s:
        repo = PersonRepository(s)
        for n in NAMES[:-1]:
            repo.add(Person(names=[PersonName.of(n)]))
        bulk_load(s, [(1000, "王小明", date(1990, 1, 2))], [("W1", "CN-YN-DH", "王小明", None)])
    kept = _kept(store)
    assert kept == _fresh([*NAMES[:-1], "王小明"])
    assert kept["明学昌"][0] == "mingxuechang" and kept["XUECHANG MING"][0] == "xuechangming"
    assert kept["明学昌"][1] == stored_forms("明学昌") and "minghsuehchang" in kept["明学昌"][1]


def test_the_migration_gives_existing_names_their_keys(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.upgrade("0011")
    with store.engine.begin() as conn:
        for pid, n in enumerate(NAMES, start=1):
            conn.execute(text("INSERT INTO persons (id, created_at) VALUES (:i, '2023-01-01')"),
                         {"i": pid})  # fmt: skip
            conn.execute(
                text("INSERT INTO person_names (person_id, position, text, script) "
                     "VALUES (:i, 0, :t, 'latin')"), {"i": pid, "t": n},
            )  # fmt: skip
    store.upgrade()
    assert _kept(store) == _fresh(NAMES)
    store.upgrade("0011")  # and back: the column goes, the names stay
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM person_names")).scalar() == len(NAMES)
    store.dispose()


def test_matching_the_persons_sharing_a_block_finds_what_matching_everyone_finds(
    store: Store,
) -> None:
    rng = random.Random(7)
    people = [(pid, han_name(rng), date(1970, 1, 1) + timedelta(days=rng.randrange(400)))
              for pid in range(1, 1501)]  # fmt: skip
    with store.session() as s:
        bulk_load(s, people, [(f"W{i}", "CN-YN-DH", n, d) for i, (_p, n, d) in
                              enumerate(people[:50])])  # fmt: skip
        # One person kept without a key, as before the migration: still found by name.
        s.execute(insert(PersonRow), [{"id": 5000, "created_at": datetime(2023, 1, 1, tzinfo=UTC)}])
        row = {"person_id": 5000, "position": 0, "text": "明学昌", "script": "han"}
        s.execute(insert(PersonNameRow), [row])
    queries = [Description((latin_variant(n, rng.choice(VARIANTS), rng),), d)
               for _p, n, d in rng.sample(people, 60)]  # fmt: skip
    queries += [Description(("Ming Xuechang",)), Description(("Nobody Atall",), date(2001, 5, 6))]
    with store.session() as s:
        index = SqlUnitOfWork(s).person_index
        forget_name_forms()
        everyone = load_known(index)  # every name romanised here
        forget_name_forms()
        sharing = load_known(index, queries)  # the candidates' forms as the store kept them
        assert len(sharing.descriptions) < len(everyone.descriptions)
        for q in queries:
            assert sharing.candidates(q) == everyone.candidates(q)
        assert [c.ref for c in sharing.candidates(queries[-2])][:1] == ["person:5000"]
        # The kept forms are the ones computed afresh, so the evidence is the same.
        kept = {n: name_forms(n).forms for d in sharing.descriptions.values() for n in d.names}
        forget_name_forms()
        assert kept == {n: name_forms(n).forms for n in kept}
        assert name_key("明学昌") == "mingxuechang"

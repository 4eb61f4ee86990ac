"""The texts the domain composes in English, translated part by part on the pages.

Each test runs the real producers (the detectors' explanations, a network run over a
small DuckDB world saved to a real store, a handover batch matched and previewed, the
dissuasion queue's reasons and advice) and asserts that every part of what they write
is known to ``web/wording_rules.py``: a producer that changes its words fails here,
instead of leaving English on the French and Chinese pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pyarrow as pa
import pytest

from scamnet.cases import handovers
from scamnet.cases import suspects as cases
from scamnet.cases.preview import preview_batches
from scamnet.core.access import Actor
from scamnet.core.cases import CaseOrigin
from scamnet.core.handovers import UNNAMED, BatchHeader, ManifestLine
from scamnet.core.reference import reference_agencies
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.detect import tabular
from scamnet.detect.accounts import ACCOUNT_WORDS
from scamnet.detect.reputation import Reputation
from scamnet.detect.tabular import GRAPH_WORDS, TabularModel, describe
from scamnet.detect.text import NOTHING, phrases
from scamnet.detect.urlfeatures import LEXICAL_NAMES
from scamnet.engine.base import AnalyticsEngine
from scamnet.engine.duckdb.engine import DuckDBEngine
from scamnet.engine.features.subscriber_sql import FEATURES
from scamnet.network.membership import HANDSET_TIE, _combine
from scamnet.network.run import find_networks
from scamnet.network.sites import Cell
from scamnet.network.subgraph import Seeds
from scamnet.resolve.model import DOB_LEVELS, EXACT_LEVELS, NAME_LEVELS
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.dissuasion import Watched
from scamnet.store.models import WarrantRow
from scamnet.store.network import NetworkRepository
from scamnet.store.persons import PersonRepository
from scamnet.store.uow import SqlUnitOfWork as Uow
from scamnet.stream.queue import ADVICE
from scamnet.stream.watchlist import Flag, WatchList
from scamnet.web.i18n import translations
from scamnet.web.wording import translate, unmatched
from scamnet.web.wording_rules import EXACT, LEXICAL, RULES
from scamnet.web.wording_rules import FEATURES as FEATURE_MSGS
from tests.factories import person

# Words that betray a part left in English (none of them is French or Chinese).
ENGLISH = re.compile(r"\b(?:calls?|alert|group|members?|received|share|person|victim|"
                     r"report|passes|receives|compound|network|matched|birth|name)\b")  # fmt: skip


def assert_translated(texts: list[str]) -> None:
    """Every part of every text matched, and none left in English in fr or zh."""
    assert texts
    for text in texts:
        assert unmatched(text) == [], text
        for lang in ("fr", "zh"):
            said = translate(text, lang)
            # Quoted phrases and names are the evidence itself and stay as written.
            bare = re.sub(r"“[^”]*”|[^;；:：]+ ~ [^;；]+", "", said)
            assert not ENGLISH.search(bare), (lang, text, said)


def test_every_msgid_of_the_rules_has_a_french_and_a_chinese_translation() -> None:
    msgids = [*EXACT, *FEATURE_MSGS, *LEXICAL]
    plurals = [m for _, m, _ in RULES if isinstance(m, tuple)]
    msgids += [m for _, m, _ in RULES if isinstance(m, str)]
    for lang in ("fr", "zh"):
        catalogue = translations(lang)
        for msgid in msgids:
            assert catalogue.gettext(msgid) != msgid, (lang, msgid)
        for one, many in plurals:
            assert catalogue.ngettext(one, many, 1) not in (one, many), (lang, one)
            assert catalogue.ngettext(one, many, 5) not in (one, many), (lang, many)


def test_the_tables_hold_every_word_the_detectors_use() -> None:
    words = [*FEATURES.values(), *GRAPH_WORDS.values(), *ACCOUNT_WORDS.values()]
    assert sorted(set(words) - set(FEATURE_MSGS)) == []
    assert sorted({n.replace("_", " ") for n in LEXICAL_NAMES} - set(LEXICAL)) == []
    assert sorted({*NAME_LEVELS, *DOB_LEVELS, *EXACT_LEVELS.values()} - set(EXACT)) == []


def test_detector_explanations() -> None:
    names = [*FEATURES, *GRAPH_WORDS, *ACCOUNT_WORDS]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, len(names)))
    x[:5, 0] = np.nan  # a missing value is explained as "unknown"
    y = (x[:, 1] + x[:, len(FEATURES)] + x[:, -1] > 0).astype(int)
    # A small booster (the shipped parameters take a minute to fit); ``explain`` is the
    # detectors' own.
    model = TabularModel("account", feature_names=names)
    model.booster = lgb.LGBMClassifier(n_estimators=20, verbose=-1, n_jobs=1).fit(x, y)
    explained = model.explain(x[:40], top=3)
    # Contacts' means, money in a currency, "unknown", and a row where nothing pushes up.
    extra = [f"{describe('nb_' + n)} = 0.5" for n in names]
    extra += [f"{describe('sum_in')} = {tabular._value('sum_in', 1480.5, 'CNY')}",
              f"{describe('calls_in')} = {tabular._fmt(float('nan'))}",
              "nothing stands out"]  # fmt: skip
    url = "http://192.168.1.2/login-secure@bank"
    picked = [("login", 1.0), ("secure", 0.5), ("ip_host", 0.3), ("at_sign", 0.2)]
    texts = [phrases(url, picked, 3, "url"), phrases("pay now; or: lose it", [("pay", 1.0)], 3,
                                                     "message"), *NOTHING.values()]  # fmt: skip
    reputation = Reputation(Counter({"scam.example": 2, "one.example": 1}))
    _, why = reputation.apply(["http://scam.example/a", "http://one.example/b"], [0.4, 0.3],
                              [texts[0], ""])  # fmt: skip
    assert_translated([*explained, *extra, *texts, *why])
    assert "unknown" in " ".join(extra) and "“pay”" in texts[1]


def _world(engine: AnalyticsEngine) -> tuple[Seeds, dict[str, Cell]]:
    """Boss P0, operators P1-P3 (alerted) and P4 (reported) who report to it from a
    Myanmar tower; X called back by two of them; Y on a handset of P1. Accounts: A0 and
    A1 alerted, B fed by A0, C passing its three payers' money on to A1."""
    p = [f"+861380000000{i}" for i in range(5)]
    x, y = "+8613800000009", "+8613900000008"
    calls: list[tuple[str, str]] = []
    for op, up, down in ((p[1], 4, 2), (p[2], 3, 1), (p[3], 5, 2), (p[4], 3, 1)):
        calls += [(op, p[0])] * up + [(p[0], op)] * down
    calls += [(x, p[1]), (p[1], x), (x, p[2]), (p[2], x)] * 2 + [(y, "+8613700000001")]
    imei = {p[1]: "356938035643809", y: "356938035643809"}
    engine.register_arrow("calls", pa.table({
        "caller": [a for a, _ in calls], "callee": [b for _, b in calls],
        "imei": [imei.get(a) for a, _ in calls], "cell_id": ["MM-1"] * len(calls)}))  # fmt: skip
    a0, a1, b, c, z = (f"622202123456789{i}" for i in range(5))
    payers = [f"622202000000000{i}" for i in range(3)]
    money = [(a0, a1, 5000.0), (a1, a0, 800.0), (a0, b, 1000.0), (z, b, 200.0),
             *((d, c, 100.0) for d in payers), (c, a1, 270.0)]  # fmt: skip
    engine.register_arrow("transfers", pa.table({
        "source": [m[0] for m in money], "target": [m[1] for m in money],
        "amount": [m[2] for m in money]}))  # fmt: skip
    engine.register_arrow("cells", pa.table({"cell_id": ["MM-1"], "country": ["MM"],
                                             "border": [False]}))  # fmt: skip
    seeds = Seeds()
    for op in p[:4]:
        seeds.alert("subscriber", op, 0.95)
    seeds.report(p[4], None)
    seeds.alert("account", a0, 0.97)
    seeds.alert("account", a1, 0.9)
    seeds.report(p[2], a0)
    return seeds, {"MM-1": Cell(24.04, 97.93, "MM", "Shan North")}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = Store(f"sqlite:///{Path(tmp_path_factory.mktemp('wording')) / 'scamnet.db'}")
    s.upgrade()
    with s.session() as session:
        AgencyRepository(session).ensure(reference_agencies())
    yield s
    s.dispose()


@dataclass(frozen=True)
class Saved:
    evidence: list[str]  # as the run composed it, with the subgraph's reasons
    ids: list[int]  # the groups in the store


@pytest.fixture(scope="module")
def network(store: Store) -> Saved:
    """The small world's groups, found and saved; P0's number belongs to a known person."""
    with store.session() as session:
        PersonRepository(session).add(person(phone="13800000000", doc="530000195501010022"))
    with DuckDBEngine() as engine:
        seeds, cells = _world(engine)
        run = find_networks(engine, seeds, cells, min_group=2)
        found = run.found()
    with store.session() as session:
        ids = NetworkRepository(session).save(found, "analyst1")
    evidence = [m.evidence for g in found for m in g.members] + [w for w in run.subgraph.why if w]
    return Saved(evidence, ids)


def test_a_network_run_names_its_groups_sites_and_evidence_in_words_we_translate(
    store: Store, network: Saved
) -> None:
    # The subgraph's own reasons, from Python and from SQL, all reached the evidence.
    for said in ("calls and is called back by 2 suspected numbers", "of its money from",
                 "of its outflow to suspected accounts", "used a handset of a suspected",
                 "handset used by suspected numbers", "a foreign or border cell",
                 "confidence", "alert score", "command", "receives"):  # fmt: skip
        assert said in " ".join(network.evidence), said
    ids = network.ids
    with store.session() as session:
        views = NetworkRepository(session).groups()
        stored = [m.evidence for gid in ids for m in NetworkRepository(session).members(gid)]
    names = [v.name for v in views] + [s.name for v in views for s in v.sites]
    assert any(n.startswith("compound near Shan North #") for n in names)
    # What membership writes when evidence is thin, and the words of older runs.
    thin = [_combine([(0.3, "shares a handset with 1 group member")], tied=False).evidence,
            _combine([(0.9, "alert score 0.90")], tied=False).evidence,
            "named in 1 victim report; command 0.01 of the group's top; confidence 0.35: "
            "named in 1 victim report; 1 numbers call it more than it calls them back; "
            "bridges 1 teams (their bosses report to it); no call, money or handset tie to "
            "the group", "confidence 0.00: not assessed", "entered by an analyst",
            "network 7 (unknown place)", "compound near unknown #7.1",
            # a shared handset with an alert alone, and one a report or the towers back
            _combine([(0.9, "alert score 0.90"), (0.2, "shares a handset with 1 group member")],
                     tied=False).evidence,
            _combine([(0.6, "alert score 0.60"),
                      (0.2, f"shares a handset with 2 group members{HANDSET_TIE}"),
                      (0.15, "uses the group's foreign or border towers")],
                     tied=True).evidence]  # fmt: skip
    assert_translated([*network.evidence, *stored, *names, *thin])


def test_the_basis_of_a_suspect_taken_from_a_group(store: Store, network: Saved) -> None:
    actor = Actor("li.wei", "CN-YN-DH")
    with store.session() as s:
        ref = cases.open_case(Uow(s), actor, "t", CaseOrigin.GROUP, str(network.ids[0])).reference
    with store.session() as s:
        bases = [h.legal_basis for v in cases.suspects(Uow(s), actor, ref)
                 for h in cases.history(Uow(s), v.id)]  # fmt: skip
    assert bases and all(b.startswith("member of group") for b in bases)
    assert_translated(bases)
    cut = bases[0][:60]  # the basis is cut at 500 characters: the cut part stays English
    assert unmatched(cut) == [cut.split("; ")[-1].split(": ")[-1]]
    assert translate(cut, "fr").startswith("membre du groupe") and translate(cut, "fr")[-1] == "…"


def test_handover_match_evidence(store: Store) -> None:
    actor = Actor("li.wei", "CN-YN-DH")
    with store.session() as s:
        pid = PersonRepository(s).add(person()).id
        s.add(
            WarrantRow(
                warrant_id="W7",
                issued_at=date(2023, 1, 1),
                agency="CN-YN-DH",
                name="白所成",
                pinyin="Bai Suocheng",
                birth_date=date(1960, 3, 4),
            )
        )
    header = BatchHeader("H-W1", date(2023, 11, 18), "Muse–Ruili", "MM-MUSE", "CN-YN-DH")
    lines = [ManifestLine(1, "XUECHANG MING", date(1955, 1, 1), "530000195501010011"),
             ManifestLine(2, "Pai Suo-ch'eng", date(1960, 4, 3)),  # the warrant, day/month swapped
             ManifestLine(3, "Zhou Xingyu", date(1999, 9, 9)),  # nobody known
             ManifestLine(4, UNNAMED, declared_fugitive=True)]  # fmt: skip
    with store.session() as s:
        ref = cases.open_case(Uow(s), actor, "Ming", CaseOrigin.MANUAL, None).reference
        suspect = cases.add_suspect(Uow(s), actor, ref, pid or 0, Role.MASTERMIND,
                                    SuspectStatus.WANTED, "Criminal Law art. 266")  # fmt: skip
    with store.session() as s:
        previews = preview_batches(Uow(s), [(header, lines)])
    with store.session() as s:
        handovers.import_batch(Uow(s), actor, header, lines)
    with store.session() as s:
        entries = Uow(s).handovers.entries("H-W1")
    shown = [ev for e in entries for ev in e.evidence]
    shown += [" | ".join(p.evidence) for b in previews for p in b.lines]
    with store.session() as s:
        moved = [h.legal_basis for h in cases.history(Uow(s), suspect)]
    assert any(b.startswith("handover batch H-W1 at Muse–Ruili on ") for b in moved), moved
    shown += moved[1:]  # the first is the officer's own words
    assert pid is not None and any("new person" in ev for ev in shown)
    assert any("warrant" in ev for ev in shown) and any("counted" in ev for ev in shown)
    assert_translated(shown)


def test_dissuasion_reasons_and_advice() -> None:
    flags: dict[str, Flag] = {}
    for i, (source, weight) in enumerate(
        (("reports", 1), ("reports", 3), ("confirmed alert", 0.9), ("list:partner-7", 1))
    ):
        WatchList._put(flags, Watched(f"+86138000001{i:02d}", source, "other", weight))
    reasons = [f.reason for f in flags.values()]
    assert_translated([*reasons, *ADVICE.values(), "subscriber model: calls received = 3; "
                       "5 calls in the last 10 min"])  # fmt: skip


def test_unknown_parts_are_shown_as_stored_and_english_is_untouched() -> None:
    text = "a brand new reason nobody translated; alert score 0.50"
    assert unmatched(text) == ["a brand new reason nobody translated"]
    assert translate(text, "fr") == "a brand new reason nobody translated ; score d'alerte 0.50"
    assert translate(text, "en") == text and translate("", "zh") == ""

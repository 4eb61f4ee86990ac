"""The plain-model gate of ``scamnet model train`` (issue 21): the tuned text detector
ships only if it beats the plain one beyond noise, else the plain one ships; both
figures, the noise and the decision are on the card."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn.metrics import f1_score
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.detect.artifacts import load_model, save_model
from scamnet.detect.detectors import Trained, inputs_from_table, score, train
from scamnet.detect.gate import MIN_ROWS, PLAIN, compare, figure
from scamnet.detect.plain import PlainTextModel
from scamnet.detect.text import TextModel
from tests.detect.test_detect import write

runner = CliRunner()
KEY = b"k" * 32

FILLER = [
    "the", "a", "today", "please", "your", "account", "call", "office", "team", "friend",
    "later", "soon", "bank", "card", "code", "link", "home", "work", "lunch", "meeting",
]  # fmt: skip


def word_order_rows(n: int = 60, seed: int = 1) -> list[dict[str, str]]:
    """Scams say "send money"; ordinary texts say "money send" (as in "money sent
    home"): the same words and letters, in another order. Character n-grams within
    words (the plain model) cannot tell them apart; word pairs (the tuned one) can."""
    rng = random.Random(seed)
    rows = []
    for i in range(2 * n):
        scam = i % 2 == 0
        words = rng.sample(FILLER, 6)
        words.insert(rng.randrange(7), "send money" if scam else "money send")
        rows.append({"text": " ".join(words), "label": "scam" if scam else "normal"})
    return rows


def easy_rows(n: int = 40, seed: int = 2) -> list[dict[str, str]]:
    """Scams name a prize; ordinary texts never do: both models are perfect, so the
    tuned one cannot beat the plain one."""
    rng = random.Random(seed)
    rows = []
    for i in range(2 * n):
        scam = i % 2 == 0
        words = rng.sample(FILLER, 5) + (["claim", "prize", "winner"] if scam else [])
        rng.shuffle(words)
        rows.append({"text": " ".join(words), "label": "scam" if scam else "normal"})
    return rows


def trained_on(rows: list[dict[str, str]], gate: bool = True) -> Trained:
    table = pa.table({"text": [r["text"] for r in rows], "label": [r["label"] for r in rows]})
    return train(inputs_from_table("message", table, "label"), "normal", gate)


def test_the_tuned_model_ships_when_it_beats_the_plain_one_beyond_noise() -> None:
    trained = trained_on(word_order_rows())
    gate = trained.card["gate"]
    assert isinstance(trained.model, TextModel)
    assert trained.algorithm == gate["ships"] == "message_char_svm_v1"
    assert gate["verdict"] == "above"
    assert gate["figure"] == "f1_fraud"
    # The plain model guesses (the letters are the same); the tuned one reads word pairs.
    assert gate["challenger"]["f1_fraud"] > 0.9
    assert gate["plain"]["f1_fraud"] < 0.8
    assert gate["difference"] > gate["noise"] > 0
    assert gate["rows"] == 120
    assert gate["decision"] == (
        f"challenger {gate['challenger']['f1_fraud']:.4f} vs plain "
        f"{gate['plain']['f1_fraud']:.4f} (noise {gate['noise']:.4f}): above, "
        "the challenger ships"
    )


def test_the_plain_model_ships_when_the_tuned_one_is_no_better() -> None:
    trained = trained_on(easy_rows())
    gate = trained.card["gate"]
    assert isinstance(trained.model, PlainTextModel)
    assert trained.algorithm == gate["ships"] == PLAIN["message"] == "message_char_lr_plain_v1"
    assert gate["challenger"] == {"algorithm": "message_char_svm_v1", "f1_fraud": 1.0}
    assert gate["plain"] == {"algorithm": "message_char_lr_plain_v1", "f1_fraud": 1.0}
    assert gate["verdict"] == "level"
    assert gate["decision"].endswith("level, the plain model ships")
    # The card's parameters and held-out figures are the shipped (plain) model's.
    assert trained.card["parameters"]["logistic_regression"]["c"] == 10.0
    assert trained.card["parameters"]["chars"]["ngram_range"] == [1, 4]
    assert trained.card["held_out_metrics"]["f1_fraud"] == 1.0


def test_with_the_gate_off_the_tuned_model_ships_untested() -> None:
    trained = trained_on(easy_rows(), gate=False)
    assert isinstance(trained.model, TextModel)
    assert trained.card["gate"] == {
        "ships": "message_char_svm_v1",
        "decision": "the gate was skipped (--no-gate): the challenger ships untested",
    }


def test_too_few_rows_to_compare_ship_the_tuned_model_and_say_so() -> None:
    rows = easy_rows(n=MIN_ROWS - 1)
    trained = trained_on(rows)
    assert isinstance(trained.model, TextModel)
    assert trained.card["gate"]["decision"] == (
        f"too few rows to compare (the smallest class has {MIN_ROWS - 1}, under {MIN_ROWS}): "
        "the challenger ships untested"
    )
    assert "challenger" not in trained.card["gate"]


def test_a_plain_model_saves_loads_scores_and_explains(tmp_path: Path) -> None:
    trained = trained_on(easy_rows())
    assert isinstance(trained.model, PlainTextModel)
    save_model(tmp_path / "m", {"kind": "message", "algorithm": trained.algorithm}, trained, KEY)
    _, loaded = load_model(tmp_path / "m", KEY)
    assert isinstance(loaded, Trained)
    assert loaded.algorithm == "message_char_lr_plain_v1"
    texts = ["Claim your prize today, winner", "see you at lunch, friend"]
    out = score(loaded, inputs_from_table("message", pa.table({"text": texts})))
    assert out["label"] == ["scam", "normal"]
    assert out["score"][0] > 0.5 > out["score"][1]
    assert (
        out["score"]
        == score(trained, inputs_from_table("message", pa.table({"text": texts})))["score"]
    )
    # The phrases that made the verdict, quoted from the text itself.
    assert any(w in out["why"][0] for w in ("“claim", "“prize", "“winner"))
    assert "prize" not in out["why"][1]


def test_the_plain_model_scores_as_scikit_learn_would() -> None:
    """The fast twin of the vectoriser gives the plain rung's own probabilities."""
    rows = easy_rows()
    model = PlainTextModel("message").fit([r["text"] for r in rows], [r["label"] for r in rows])
    texts = ["A Prize   for you,  WINNER!", "lunch at the office", "", "ฉันไปทำงาน 中文 prize"]
    assert model.vectorizer is not None and model.model is not None
    expected = model.model.predict_proba(model.vectorizer.transform(texts))
    assert np.allclose(model.predict_proba(texts), expected, atol=1e-9)


def test_a_plain_url_model_explains_with_the_url_itself() -> None:
    benign = [f"https://www.{w}-news.org/{i}/read" for i, w in enumerate(FILLER * 2)]
    phish = [f"http://secure-login{i}.{w}.top/verify-account" for i, w in enumerate(FILLER * 2)]
    model = PlainTextModel("url").fit(benign + phish, ["benign"] * 40 + ["phishing"] * 40)
    assert model.params()["chars"] == {"analyzer": "char", "ngram_range": [3, 5],
                                       "terms": len(model.vectorizer.vocabulary_)}  # fmt: skip
    url = "http://secure-login.example.top/verify-account"
    proba = model.predict_proba([url])
    assert model.classes[int(model.verdicts(proba)[0])] == "phishing"
    why = model.explain([url], np.array([1]))[0]
    quoted = re.findall("“(.+?)”", why)
    assert quoted and all(q in url for q in quoted)  # pieces of the URL itself
    assert model.explain(["https://www.lunch-news.org/3/read"], np.array([1]))[0] == (
        "nothing in the URL points to phishing"
    )


def test_the_gate_figures_are_scikit_learns() -> None:
    rng = np.random.default_rng(3)
    truth, pred = rng.integers(0, 4, 500), rng.integers(0, 4, 500)
    pred[:300] = truth[:300]
    conf = np.bincount(truth * 4 + pred, minlength=16).reshape(1, 4, 4)
    assert figure(conf, None)[0] == pytest.approx(f1_score(truth, pred, average="macro"))
    assert figure(conf, 2)[0] == pytest.approx(f1_score(truth == 2, pred == 2))
    # A class neither true nor predicted does not count, as in scikit-learn.
    three = np.where(pred == 3, 0, pred)
    truth3 = np.where(truth == 3, 0, truth)
    conf3 = np.bincount(truth3 * 4 + three, minlength=16).reshape(1, 4, 4)
    assert figure(conf3, None)[0] == pytest.approx(f1_score(truth3, three, average="macro"))


def test_the_noise_grows_as_the_rows_shrink_and_decides_the_verdict() -> None:
    rng = np.random.default_rng(4)
    truth = rng.integers(0, 2, 4000)
    better = np.where(rng.random(4000) < 0.95, truth, 1 - truth)
    worse = np.where(rng.random(4000) < 0.90, truth, 1 - truth)
    big = compare(truth, better, worse, 2, 1)
    small = compare(truth[:200], better[:200], worse[:200], 2, 1)
    assert big.noise < small.noise
    assert big.verdict == "above"
    assert compare(truth, worse, better, 2, 1).verdict == "below"
    assert compare(truth, better, better, 2, 1).verdict == "level"
    assert compare(truth, better, better, 2, 1).noise == 0.0


def test_model_train_reports_the_decision(tmp_path: Path) -> None:
    data = write(tmp_path / "t.csv", easy_rows())
    args = ["model", "train", "message", "--input", str(data), "--label-column", "label"]
    result = runner.invoke(app, [*args, "--output", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert (
        "gate: challenger 1.0000 vs plain 1.0000 (noise 0.0000): level, the plain model ships"
        in (result.output)
    )
    assert "trained message_char_lr_plain_v1 on 80 rows" in result.output
    card = json.loads((tmp_path / "m" / "model.json").read_text())
    assert card["algorithm"] == "message_char_lr_plain_v1"
    assert card["gate"]["ships"] == "message_char_lr_plain_v1"

    result = runner.invoke(app, [*args, "--output", str(tmp_path / "n"), "--no-gate"])
    assert result.exit_code == 0, result.output
    assert "gate: the gate was skipped (--no-gate)" in result.output
    assert json.loads((tmp_path / "n" / "model.json").read_text())["algorithm"] == (
        "message_char_svm_v1"
    )


def test_model_train_into_the_registry_records_the_gate(tmp_path: Path) -> None:
    data = write(tmp_path / "t.csv", word_order_rows())
    args = ["--label-column", "label", "--data-dir", str(tmp_path / "d")]
    result = runner.invoke(app, ["model", "train", "message", "--input", str(data), *args])
    assert result.exit_code == 0, result.output
    assert ": above, the challenger ships" in result.output
    cards = list((tmp_path / "d").rglob("model.json"))
    assert len(cards) == 1
    card = json.loads(cards[0].read_text())
    assert card["algorithm"] == "message_char_svm_v1"
    assert card["gate"]["rows"] == 96  # four fifths; the other fifth is the frozen set
    assert card["gate"]["verdict"] == "above"

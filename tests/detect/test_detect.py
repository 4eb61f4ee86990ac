"""The detectors through the evaluation contract: train, score, evaluate."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.detect.artifacts import UntrustedModel, load_model, save_model
from scamnet.simulate import PRESETS, simulate

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Simulated messages with their true types: French ones held out for testing."""
    world = tmp_path_factory.mktemp("w")
    simulate(PRESETS["tiny"].with_overrides(days=3, messages=4000, messy_rate=0.0), world)
    truth = {r["message_id"]: r for r in read(world / "truth" / "messages.csv")}
    rows = [
        {
            "message_id": m["message_id"],
            "text": m["text"],
            "label": truth[m["message_id"]]["label"],
            "lang": truth[m["message_id"]]["lang"],
        }
        for m in read(world / "messages.csv")
    ]
    train = [r for r in rows if r["lang"] != "fr" or random.Random(r["message_id"]).random() < 0.5]
    test = [r for r in rows if r not in train]
    out = tmp_path_factory.mktemp("m")
    return write(out / "train.csv", train), write(out / "test.csv", test)


def test_message_contract_scores_in_order_with_reasons(
    messages: tuple[Path, Path], tmp_path: Path
) -> None:
    train, test = messages
    invoke(
        "model",
        "train",
        "message",
        "--input",
        str(train),
        "--label-column",
        "label",
        "--output",
        str(tmp_path / "model"),
    )
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["algorithm"] == "message_char_svm_v1"
    assert meta["normal_class"] == "normal"
    assert len(meta["data_sha256"]) == 64
    # The model card: how it was built, and figures from training rows each model
    # of the calibration folds did not see.
    assert meta["parameters"]["chars"]["analyzer"] == "char_wb"
    held = meta["held_out_metrics"]
    assert held["rows"] == meta["rows"] and 0.9 < held["roc_auc"] <= 1.0
    assert set(held["per_class_f1"]) == set(meta["classes"])
    invoke(
        "model",
        "score",
        "message",
        "--model",
        str(tmp_path / "model"),
        "--input",
        str(test),
        "--output",
        str(tmp_path / "pred.csv"),
    )
    pred, gold = read(tmp_path / "pred.csv"), read(test)
    assert [p["message_id"] for p in pred] == [g["message_id"] for g in gold]  # input order
    assert set(pred[0]) == {"message_id", "score", "label", "why"}
    assert all(0.0 <= float(p["score"]) <= 1.0 for p in pred)
    # French scams are caught, though the model saw only half of the French messages.
    french_scams = [
        (p, g)
        for p, g in zip(pred, gold, strict=True)
        if g["lang"] == "fr" and g["label"] != "normal"
    ]
    assert len(french_scams) >= 10
    caught = sum(p["label"] != "normal" for p, _ in french_scams)
    assert caught / len(french_scams) >= 0.9
    scam = next(p for p, _ in french_scams if p["label"] != "normal")
    quoted = scam["why"].split("”")[0].lstrip("“")
    text = next(g["text"] for g in gold if g["message_id"] == scam["message_id"])
    assert quoted and quoted in text.lower()  # the explanation quotes the message itself


def test_message_evaluate_cross_validates(messages: tuple[Path, Path]) -> None:
    out = invoke(
        "model",
        "evaluate",
        "message",
        "--input",
        str(messages[0]),
        "--label-column",
        "label",
        "--folds",
        "3",
        "--json",
    )
    result = json.loads(out)
    assert result["macro_f1"] > 0.9
    assert result["roc_auc"] > 0.95
    assert set(result["per_class_f1"]) >= {"normal", "impersonate_authority"}


def test_url_detector_learns_lexical_phishing(tmp_path: Path) -> None:
    rng = random.Random(3)
    benign = [
        f"https://www.{w}.{t}/{p}"
        for w in (
            "wikipedia",
            "bbc",
            "python",
            "github",
            "lemonde",
            "baidu",
            "qq",
            "sina",
            "weather",
            "nasa",
        )
        for t in ("org", "com", "cn")
        for p in ("", "news/", "a/b", "index.html")
    ]
    phish = [
        f"http://{b}-{w}{rng.randrange(99)}.{t}/{p}"
        for b in ("paypal", "icbc", "apple")
        for w in ("verify", "login", "secure")
        for t in ("top", "xyz", "vip")
        for p in ("login.php", "webscr?cmd=1", "")
    ]
    rows = [{"url": u, "label": "benign"} for u in benign] + [
        {"url": u, "label": "phishing"} for u in phish
    ]
    data = write(tmp_path / "urls.csv", rows)
    result = json.loads(
        invoke(
            "model",
            "evaluate",
            "url",
            "--input",
            str(data),
            "--label-column",
            "label",
            "--folds",
            "3",
            "--json",
        )
    )
    assert result["f1_fraud"] > 0.95
    invoke(
        "model",
        "train",
        "url",
        "--input",
        str(data),
        "--label-column",
        "label",
        "--output",
        str(tmp_path / "m"),
    )
    probe = write(
        tmp_path / "probe.csv",
        [{"url": "http://paypal-secure7.top/login.php"}, {"url": "https://www.python.org/news/"}],
    )
    invoke(
        "model",
        "score",
        "url",
        "--model",
        str(tmp_path / "m"),
        "--input",
        str(probe),
        "--output",
        str(tmp_path / "p.csv"),
    )
    scores = [float(r["score"]) for r in read(tmp_path / "p.csv")]
    assert scores[0] > 0.8 > 0.2 > scores[1]


def _subscribers(n: int, seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        fraud = i % 3 == 0
        rows.append(
            {
                "node": i,
                "calls_out": int(rng.poisson(80 if fraud else 30)),
                "callback_ratio": float(rng.beta(1, 8) if fraud else rng.beta(6, 2)),
                "short_call_ratio": float(rng.beta(5, 3) if fraud else rng.beta(2, 5)),
                "label": int(fraud),
            }
        )
    return rows


def test_subscriber_detector_with_a_contact_graph(tmp_path: Path) -> None:
    rows = _subscribers(300, 1)
    data = write(tmp_path / "subs.csv", rows)
    rng = random.Random(2)
    edges = [{"src": rng.randrange(300), "dst": rng.randrange(300)} for _ in range(1500)]
    graph = write(tmp_path / "edges.csv", edges)
    result = json.loads(
        invoke(
            "model",
            "evaluate",
            "subscriber",
            "--input",
            str(data),
            "--edges",
            str(graph),
            "--label-column",
            "label",
            "--folds",
            "3",
            "--json",
        )
    )
    assert result["roc_auc"] > 0.95
    invoke(
        "model",
        "train",
        "subscriber",
        "--input",
        str(data),
        "--edges",
        str(graph),
        "--label-column",
        "label",
        "--output",
        str(tmp_path / "m"),
    )
    new = write(
        tmp_path / "new.csv",
        [{k: v for k, v in r.items() if k != "label"} for r in _subscribers(30, 9)],
    )
    invoke(
        "model",
        "score",
        "subscriber",
        "--model",
        str(tmp_path / "m"),
        "--input",
        str(new),
        "--edges",
        str(graph),
        "--output",
        str(tmp_path / "p.csv"),
    )
    pred = read(tmp_path / "p.csv")
    assert [p["node"] for p in pred] == [str(i) for i in range(30)]
    assert {p["label"] for p in pred} <= {"0", "1"}
    assert "callback" in " ".join(p["why"] for p in pred)  # explained in words


def test_account_detector_finds_pass_through_mules(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    n, tx = 400, []
    mules = set(range(0, n, 10))
    for _ in range(3000):  # ordinary payments
        a, b = rng.integers(0, n, 2)
        tx.append(
            {
                "sourceNodeId": a,
                "targetNodeId": b,
                "value": round(float(rng.lognormal(5, 1)), 2),
                "time": int(rng.integers(1, 100)),
            }
        )
    for m in mules:  # fan-in, then everything out within a step
        for _ in range(8):
            t = int(rng.integers(1, 90))
            tx.append(
                {
                    "sourceNodeId": int(rng.integers(0, n)),
                    "targetNodeId": m,
                    "value": 900.0,
                    "time": t,
                }
            )
            tx.append(
                {
                    "sourceNodeId": m,
                    "targetNodeId": int(rng.integers(0, n)),
                    "value": 880.0,
                    "time": t + 1,
                }
            )
    nodes = write(
        tmp_path / "nodes.csv", [{"nodeid": i, "isFraud": int(i in mules)} for i in range(n)]
    )
    txs = write(tmp_path / "tx.csv", tx)
    result = json.loads(
        invoke(
            "model",
            "evaluate",
            "account",
            "--input",
            str(nodes),
            "--transactions",
            str(txs),
            "--label-column",
            "isFraud",
            "--folds",
            "3",
            "--json",
        )
    )
    assert result["f1_fraud"] > 0.8


def test_models_from_elsewhere_are_refused(tmp_path: Path) -> None:
    save_model(tmp_path / "m", {"kind": "url"}, {"weights": [1, 2]}, key=b"k" * 32)
    _meta, obj = load_model(tmp_path / "m", key=b"k" * 32)
    assert obj == {"weights": [1, 2]}
    with pytest.raises(UntrustedModel, match="signature"):
        load_model(tmp_path / "m", key=b"x" * 32)  # another installation's key
    payload = tmp_path / "m" / "payload.bin"
    payload.write_bytes(payload.read_bytes() + b"\x00")
    with pytest.raises(UntrustedModel, match="altered"):
        load_model(tmp_path / "m", key=b"k" * 32)
    result = runner.invoke(
        app,
        [
            "model",
            "score",
            "url",
            "--model",
            str(tmp_path / "m"),
            "--input",
            str(payload),
            "--output",
            str(tmp_path / "p.csv"),
        ],
    )
    assert result.exit_code == 2
    assert "not loaded" in " ".join(result.output.split())


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    data = write(tmp_path / "d.csv", [{"text": "hi", "label": "a"}, {"text": "yo", "label": "b"}])
    out = runner.invoke(
        app,
        [
            "model",
            "train",
            "message",
            "--input",
            str(data),
            "--label-column",
            "label",
            "--output",
            str(tmp_path / "m"),
        ],
    )
    assert out.exit_code == 2
    assert "normal class" in " ".join(out.output.split())
    missing = runner.invoke(
        app, ["model", "evaluate", "message", "--input", str(data), "--label-column", "nope"]
    )
    assert missing.exit_code == 2
    assert "no column 'nope'" in " ".join(missing.output.split())
    no_tx = runner.invoke(
        app, ["model", "evaluate", "account", "--input", str(data), "--label-column", "label"]
    )
    assert no_tx.exit_code == 2
    assert "--transactions" in " ".join(no_tx.output.split())


def test_subscriber_scores_in_batches_equal_one_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa

    from scamnet.detect import detectors
    from scamnet.detect.data import numeric_matrix

    rows = _subscribers(400, 3)
    for i, r in enumerate(rows):  # nulls and infinities are missing values
        if i % 7 == 0:
            r["callback_ratio"] = None
        if i % 11 == 0:
            r["short_call_ratio"] = float("inf")
    table = pa.Table.from_pylist(rows)
    trained = detectors.train(detectors.inputs_from_table("subscriber", table, "label"))
    # Columns in another order, and one the model never saw.
    new = table.select(["short_call_ratio", "node", "callback_ratio", "calls_out"])
    new = new.append_column("extra", pa.array(np.arange(400.0)))
    monkeypatch.setattr(detectors, "ROWS_PER_BATCH", 64)
    out = detectors.score(trained, detectors.inputs_from_table("subscriber", new))
    assert out["node"] == [str(i) for i in range(400)]
    x = np.column_stack(
        [
            [r["calls_out"] for r in rows],
            [np.nan if r["callback_ratio"] is None else r["callback_ratio"] for r in rows],
            [np.nan if i % 11 == 0 else r["short_call_ratio"] for i, r in enumerate(rows)],
        ]
    )
    model = trained.model
    assert isinstance(model, detectors.TabularModel)
    expected = model.booster.predict_proba(x)[:, 1]  # type: ignore[union-attr]
    assert len(set(out["score"])) >= 2
    assert np.allclose(out["score"], expected.round(6), atol=1e-9)
    assert out["why"] == model.explain(x)
    # A training column with no value at all (read as Arrow's null type) is all missing;
    # one the input lacks is refused (see the CLI test below).
    blank = new.set_column(3, "calls_out", pa.nulls(400))
    absent, names = numeric_matrix(blank, {"node"}, trained.base_names)
    assert names == trained.base_names
    assert np.isnan(absent[:, 0]).all() and np.allclose(absent[:, 2][1:11], x[1:11, 2])
    with pytest.raises(detectors.InputError, match="lacks 1 of the model's feature columns"):
        numeric_matrix(new.drop(["calls_out"]), {"node"}, trained.base_names)


def test_account_amount_ranks_and_repeats_on_a_worked_ledger() -> None:
    from scamnet.detect.accounts import ACCOUNT_FEATURES, account_features

    # a pays b three times (a layering loop's repeats); c pays d once, tiny; b pays c once.
    src = ["a", "a", "a", "c", "b"] + ["x"] * 95
    dst = ["b", "b", "b", "d", "c"] + ["y"] * 95
    value = np.array([500.0, 500.0, 500.0, 1.0, 300.0] + [200.0 + i for i in range(95)])
    x = account_features(["a", "b", "c", "d"], src, dst, value, np.arange(100.0))
    f = {name: x[:, k] for k, name in enumerate(ACCOUNT_FEATURES)}
    assert f["repeat_counterparts"].tolist() == [1, 1, 0, 0]
    assert f["most_transfers_to_one"].tolist() == [3, 3, 1, 1]
    # d's smallest transfer in is the ledger's smallest of 100 amounts.
    assert f["smallest_in_rank"][3] == pytest.approx(0.01)
    assert f["smallest_in_rank"][0] == 1.0  # a receives nothing
    assert f["smallest_out_rank"][2] == pytest.approx(0.01)
    # c's two transfers: one tiny (the 1 paid to d), one not.
    assert f["tiny_share"].tolist() == [0.0, 0.0, 0.5, 1.0]


def test_rare_class_verdict_shift_found_on_held_out_margins() -> None:
    from scamnet.detect.text import rare_class_shift

    # Ten spam texts the model finds a little less likely than ham (margin -0.5),
    # ninety ham texts far from it (-3): argmax calls every spam ham.
    truth = np.array(["spam"] * 10 + ["ham"] * 90)
    margin = np.array([-0.5] * 10 + [-3.0] * 90)
    logp = np.column_stack([np.zeros(100), margin])  # classes ham, spam
    offsets = rare_class_shift(logp, truth, ["ham", "spam"])
    assert offsets[0] == 0.0
    # every shift in (0.5, 2] gives F1 = 1; the middle of them is taken.
    assert 1.0 < offsets[1] < 1.5
    assert ((logp + offsets).argmax(axis=1) == (truth == "spam")).all()
    # Where argmax is already the best verdict, nothing moves.
    clear = np.column_stack([np.zeros(100), np.where(truth == "spam", 1.0, -1.0)])
    assert rare_class_shift(clear, truth, ["ham", "spam"]).tolist() == [0.0, 0.0]
    # Where the fraud class is the commoner one, it is named: its F1 is what counts.
    swapped = np.where(truth == "spam", "ok", "phishing")
    flipped = np.column_stack([margin, np.zeros(100)])  # classes ok, phishing
    shift = rare_class_shift(flipped, swapped, ["ok", "phishing"], target=1)
    # every shift in [-2, -0.5) keeps phishing where it is and gives the ten back to ok.
    assert shift[0] == 0.0 and -2.0 <= shift[1] < -0.5
    assert ((flipped + shift).argmax(axis=1) == (swapped == "phishing")).all()


def test_account_activity_counts_any_time_scale() -> None:
    from scamnet.detect.accounts import ACCOUNT_FEATURES, account_features

    active = ACCOUNT_FEATURES.index("active_steps")
    src, dst = ["a", "a", "a", "b"], ["b", "b", "c", "c"]
    for times in ([1.0, 1.0, 2.0, 5.0], [1.7e9, 1.7e9, 1.7e9 + 60, -3600.0]):  # steps, epoch s
        x = account_features(["a", "b", "c"], src, dst, np.ones(4), np.array(times))
        assert x[:, active].tolist() == [2, 2, 2]


def test_scoring_refuses_missing_or_text_feature_columns(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    rows = [
        {
            "node": i,
            "calls": int(rng.integers(0, 50)),
            "callees": int(rng.integers(0, 20)),
            "label": i % 3 == 0,
        }
        for i in range(120)
    ]
    train = write(tmp_path / "train.csv", rows)
    model = tmp_path / "model"
    invoke(
        "model",
        "train",
        "subscriber",
        "--input",
        str(train),
        "--label-column",
        "label",
        "--output",
        str(model),
    )
    missing = write(tmp_path / "missing.csv", [{"node": 1, "calls": 3}])
    textual = write(tmp_path / "text.csv", [{"node": 1, "calls": "many", "callees": 2}])
    pred = tmp_path / "p.csv"
    for bad, reason in (
        (missing, "lacks 1 of the model's feature columns: callees"),
        (textual, "'calls' must be numeric"),
    ):
        result = runner.invoke(
            app,
            [
                "model",
                "score",
                "subscriber",
                "--model",
                str(model),
                "--input",
                str(bad),
                "--output",
                str(pred),
            ],
        )
        assert result.exit_code != 0
        assert reason in " ".join(result.output.split())
        assert not pred.exists()


def test_a_class_with_one_text_is_refused_clearly(tmp_path: Path) -> None:
    rows = [{"text": f"hello {i}", "label": "ham"} for i in range(5)]
    rows += [{"text": f"win cash {i}", "label": "spam"} for i in range(5)]
    rows.append({"text": "your parcel is held, pay the fee", "label": "parcel"})
    result = runner.invoke(app, ["model", "train", "message", "--input",
                                 str(write(tmp_path / "t.csv", rows)), "--label-column", "label",
                                 "--output", str(tmp_path / "m")])  # fmt: skip
    assert result.exit_code == 2
    assert "'parcel' has one" in " ".join(result.output.split())
    assert not (tmp_path / "m").exists()

"""The model registry (champion and challenger on a frozen set), the signing key that
follows the data directory, and the audited recording of a detection run."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.detect.recording import record_alerts
from scamnet.store import Store
from scamnet.store.alerts import Alert
from scamnet.store.audit import AuditLog

runner = CliRunner()

SCAM = ["转账", "安全账户", "验证码", "退款", "客服", "冻结", "贷款", "中奖", "保证金", "链接"]
NORMAL = ["吃饭", "明天", "开会", "回家", "周末", "电影", "妈妈", "快递", "天气", "下班"]


def texts(path: Path, seed: int, shuffle_labels: bool = False, n: int = 60) -> Path:
    """``n`` scam and ``n`` normal messages, each four words of its class's vocabulary."""
    rng = random.Random(seed)
    rows = [(" ".join(rng.choices(SCAM, k=4)), "scam") for _ in range(n)]
    rows += [(" ".join(rng.choices(NORMAL, k=4)), "normal") for _ in range(n)]
    labels = [label for _, label in rows]
    if shuffle_labels:
        rng.shuffle(labels)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["message_id", "text", "label"])
        w.writerows(
            (f"m{seed}-{i}", t, lab)
            for i, ((t, _), lab) in enumerate(zip(rows, labels, strict=True))
        )
    return path


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def listed(data: Path) -> list[dict[str, object]]:
    versions: list[dict[str, object]] = json.loads(
        invoke("model", "list", "message", "--json", "--data-dir", str(data))
    )
    return versions


def test_a_challenger_replaces_the_champion_only_if_as_good_on_the_frozen_set(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    train = ("model", "train", "message", "--label-column", "label", "--data-dir", str(data))
    first = invoke(*train, "--input", str(texts(tmp_path / "a.csv", 1)))
    assert "now the champion" in first
    [v1] = listed(data)
    card = v1["card"]
    assert isinstance(card, dict)
    frozen = card["frozen_evaluation"]
    # A stratified fifth of the first rows is frozen and never trained on.
    assert frozen["rows"] == 24 and card["rows"] == 96
    assert frozen["champion"] is None and frozen["promoted"] and v1["champion"]
    assert frozen["challenger"]["f1_fraud"] > 0.9
    rows = pq.read_table(data / "models" / "message" / "frozen" / "rows.parquet")
    assert rows.num_rows == 24 and set(rows.column("label").to_pylist()) == {"scam", "normal"}

    # A worse model (labels shuffled) is kept, and the champion stays.
    worse = invoke(*train, "--input", str(texts(tmp_path / "b.csv", 2, shuffle_labels=True)))
    assert "kept as a challenger" in worse
    v1, v2 = listed(data)
    assert v1["champion"] and not v2["champion"]
    card2 = v2["card"]
    assert isinstance(card2, dict)
    both = card2["frozen_evaluation"]
    assert both["champion"]["version"] == "v0001" and not both["promoted"]
    assert both["challenger"]["f1_fraud"] < both["champion"]["f1_fraud"]

    # A model as good takes over; the frozen rows in its input are left out of training.
    again = invoke(*train, "--input", str(texts(tmp_path / "a.csv", 1)))
    assert "now the champion" in again
    *_, v3 = listed(data)
    card3 = v3["card"]
    assert isinstance(card3, dict)
    assert v3["champion"] and v3["version"] == "v0003" and card3["rows"] == 96

    # Scoring with no --model uses the champion.
    out = tmp_path / "p.csv"
    invoke("model", "score", "message", "--input", str(texts(tmp_path / "c.csv", 3)),
           "--output", str(out), "--data-dir", str(data))  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        scored = list(csv.DictReader(fh))
    assert sum(r["label"] == ("scam" if i < 60 else "normal") for i, r in enumerate(scored)) > 110
    assert "models under" in invoke("model", "list", "--data-dir", str(data))


def test_no_champion_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["model", "score", "message", "--input",
                                 str(texts(tmp_path / "a.csv", 1)), "--output",
                                 str(tmp_path / "p.csv"), "--data-dir", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 2
    assert "no message model is saved" in result.output
    assert "Traceback" not in result.output
    assert "no models saved" in invoke("model", "list", "--data-dir", str(tmp_path))


def test_the_signing_key_follows_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model belongs to the data directory it was trained for, whatever the
    environment says; another data directory's key refuses it."""
    mine, other = tmp_path / "mine", tmp_path / "other"
    monkeypatch.setenv("SCAMNET_DATA_DIR", str(other))
    model = tmp_path / "m"
    invoke("model", "train", "message", "--input", str(texts(tmp_path / "a.csv", 1)),
           "--label-column", "label", "--output", str(model), "--data-dir", str(mine))  # fmt: skip
    assert (mine / "keys" / "model-signing.key").exists()
    assert not (other / "keys").exists()
    score = ("model", "score", "message", "--model", str(model), "--input",
             str(tmp_path / "a.csv"), "--output", str(tmp_path / "p.csv"))  # fmt: skip
    invoke(*score, "--data-dir", str(mine))
    assert "no data directory" in runner.invoke(app, list(score)).output  # never made up
    other.mkdir()
    refused = runner.invoke(app, list(score))  # $SCAMNET_DATA_DIR: the other key
    assert refused.exit_code == 2
    assert "does not verify" in refused.output


def test_recording_a_run_stores_alerts_and_audits_it(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.upgrade()
    window = "2024-01-01/2024-01-02"
    alerts = [Alert("message", f"+8613800000{i:03d}", 0.5 + i / 10, "scam",
                    "message_char_svm_v1", window, "“安全账户”") for i in range(3)]  # fmt: skip
    with store.session() as session:
        run = record_alerts(session, "analyst7", alerts, "message", window, top=2)
    assert (run.stored, run.new) == (3, 3)
    assert [a.subject for a in run.shown] == ["+8613800000002", "+8613800000001"]
    with store.session() as session:
        again = record_alerts(session, "analyst7", alerts, "message", window, top=2)
        entries = AuditLog(session).entries(window)
        assert AuditLog(session).verify() is None
    store.dispose()
    assert again.new == 0  # the same subject, model and window is stored once
    assert [(e.actor, e.action) for e in entries] == [("analyst7", "detect.message")] * 2
    assert entries[0].detail == {"model": "message_char_svm_v1", "alerts": 3, "new": 3,
                                 "shown": ["+8613800000002", "+8613800000001"]}  # fmt: skip


def test_subscriber_challengers_with_and_without_the_contact_graph(tmp_path: Path) -> None:
    """The frozen set keeps the edges it was drawn with; a model trained without them is
    judged on the same rows without them, and the one with them, with them."""
    rng = random.Random(5)
    rows = []
    for i in range(200):
        fraud = i % 4 == 0
        rows.append({"node": f"n{i}", "calls_out": rng.gauss(90 if fraud else 20, 10),
                     "short_call_ratio": rng.random() * 0.3 + (0.6 if fraud else 0.1),
                     "label": int(fraud)})  # fmt: skip
    table = tmp_path / "subs.csv"
    with table.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    edges = tmp_path / "edges.csv"
    with edges.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["src", "dst"])
        w.writerows((f"n{rng.randrange(200)}", f"n{rng.randrange(200)}") for _ in range(600))
    data = tmp_path / "data"
    train = ("model", "train", "subscriber", "--input", str(table), "--label-column", "label",
             "--data-dir", str(data))  # fmt: skip
    assert "now the champion" in invoke(*train, "--edges", str(edges))
    assert (data / "models" / "subscriber" / "frozen" / "edges.parquet").exists()
    second = invoke(*train)  # no graph this time
    assert "on the frozen set" in second
    versions = json.loads(invoke("model", "list", "subscriber", "--json", "--data-dir", str(data)))
    assert [v["version"] for v in versions] == ["v0001", "v0002"]
    for v in versions:
        assert v["card"]["frozen_evaluation"]["challenger"]["roc_auc"] > 0.9
        assert v["card"]["algorithm"] == "subscriber_gbm_v2"

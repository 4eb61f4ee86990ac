"""`scamnet model train KIND --from-verdicts`: analysts' verdicts become training labels,
on top of the data's labels or instead of them, and the model card counts them."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.core.access import Actor
from scamnet.core.alerts import AlertVerdict
from scamnet.detect import triage
from scamnet.detect.data import InputError
from scamnet.detect.detectors import inputs_from_table
from scamnet.detect.recording import record_alerts
from scamnet.detect.verdicts import NORMAL, SCAM, with_verdicts
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.alerts import Alert, AlertQuery
from tests.support.users import register

runner = CliRunner()
ANALYST = Actor("chen.jing", "CN-YN-DH")


def _urls() -> list[dict[str, str]]:
    rng = random.Random(5)
    benign = [f"https://www.{w}.{t}/{p}" for w in ("wikipedia", "bbc", "python", "github",
              "lemonde", "baidu", "qq", "sina") for t in ("org", "com", "cn")
              for p in ("", "news/", "a/b")]  # fmt: skip
    phish = [f"http://{b}-{w}{rng.randrange(99)}.{t}/{p}" for b in ("paypal", "icbc", "apple")
             for w in ("verify", "login") for t in ("top", "xyz", "vip")
             for p in ("login.php", "webscr?cmd=1")]  # fmt: skip
    return [{"url": u, "label": "benign"} for u in benign] + [
        {"url": u, "label": "phishing"} for u in phish
    ]


def test_verdicts_override_the_data_s_labels_and_are_counted() -> None:
    rows = _urls()
    table = pa.table({"url": [r["url"] for r in rows], "label": [r["label"] for r in rows]})
    inputs = inputs_from_table("url", table, "label")
    benign, phish = rows[0]["url"], rows[-1]["url"]
    verdicts = {benign: 1, phish: 0, rows[-2]["url"]: 1, "http://not-in-the-input.top/": 0}
    got, normal, done = with_verdicts(inputs, verdicts)
    assert normal == "benign" and got.labels is not None
    urls = [r["url"] for r in rows]
    assert got.labels[urls.index(benign)] == "phishing"
    assert got.labels[urls.index(phish)] == "benign"
    assert (done.used, done.confirmed, done.refuted, done.changed, done.without_row) == (
        3, 2, 1, 2, 1,
    )  # fmt: skip
    assert done.card()["labels_from_analysts"] == 3


def test_without_a_label_column_only_the_judged_rows_are_trained_on() -> None:
    table = pa.table({"url": ["http://a.top/", "https://b.org/", "https://c.org/"]})
    inputs = inputs_from_table("url", table)
    got, normal, done = with_verdicts(inputs, {"http://a.top/": 1, "https://c.org/": 0})
    assert normal == NORMAL and got.table.num_rows == 2
    assert got.labels == [SCAM, NORMAL] and done.used == 2
    with pytest.raises(InputError, match="no row of the input"):
        with_verdicts(inputs, {"http://elsewhere.top/": 1})


def test_the_cli_trains_on_verdicts_and_the_card_says_how_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.delenv("SCAMNET_DATABASE_URL", raising=False)
    settings = Settings.from_env(data)
    store = Store(settings.database_url)
    store.upgrade()
    register(store)
    rows = _urls()
    judged = [rows[0]["url"], rows[1]["url"], rows[-1]["url"]]
    with store.session() as s:
        record_alerts(s, "detector", [Alert("url", u, 0.9, "phishing", "url_char_svm_v1",
                                            "2023-10-01/2023-10-14", "why") for u in judged],
                      "url", "2023-10-01/2023-10-14")  # fmt: skip
        page = triage.list_alerts(s, ANALYST, AlertQuery(kind="url"))
        ids = {a.subject: a.id for a in page.alerts}
        triage.give_verdict(s, ANALYST, ids[judged[0]], AlertVerdict.CONFIRMED)
        triage.give_verdict(s, ANALYST, ids[judged[1]], AlertVerdict.CONFIRMED)
        triage.give_verdict(s, ANALYST, ids[judged[2]], AlertVerdict.FALSE_POSITIVE)
    store.dispose()
    path = tmp_path / "urls.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["url", "label"])
        w.writeheader()
        w.writerows(rows)
    d = ["--data-dir", str(data)]
    train = ["model", "train", "url", "--input", str(path), "--label-column", "label"]
    out = runner.invoke(app, [*train, "--from-verdicts", "--output", str(tmp_path / "m"), *d])
    assert out.exit_code == 0, out.output
    assert "3 of the training labels came from analysts" in " ".join(out.output.split())
    card = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert card["labels_from_analysts"] == 3
    assert card["analyst_verdicts"]["confirmed"] == 2
    assert card["analyst_verdicts"]["overrode_the_data"] == 3
    # Into the registry, the card of the saved version says the same.
    out = runner.invoke(app, [*train, "--from-verdicts", *d])
    assert out.exit_code == 0, out.output
    listed = json.loads(runner.invoke(app, ["model", "list", "url", "--json", *d]).output)
    assert listed[-1]["card"]["labels_from_analysts"] == 3
    neither = runner.invoke(app, ["model", "train", "url", "--input", str(path), *d])
    assert neither.exit_code == 2 and "--from-verdicts" in neither.output

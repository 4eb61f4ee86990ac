"""The command line as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scamnet import __version__
from scamnet.cli.main import app
from tests.conftest import DEMO_STALE
from tests.support.users import register

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "simulate", "version", "db"):
        assert command in result.output


@pytest.mark.parametrize(
    "args", [["demo"], ["simulate"], ["db"], ["db", "upgrade"], ["db", "status"]]
)
def test_every_command_has_help(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.stdout.strip() == f"scamnet {__version__}"


def test_db_upgrade_and_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCAMNET_DATABASE_URL", raising=False)
    status = runner.invoke(app, ["db", "status", "--data-dir", str(tmp_path)])
    assert status.exit_code == 1  # empty: behind the newest revision
    up = runner.invoke(app, ["db", "upgrade", "--data-dir", str(tmp_path)])
    assert up.exit_code == 0, up.output
    assert (tmp_path / "scamnet.db").exists()
    assert runner.invoke(app, ["db", "status", "--data-dir", str(tmp_path)]).exit_code == 0


def test_bad_database_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCAMNET_DATABASE_URL", "nosuchdb://x")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "cannot open the store" in result.output


@pytest.mark.slow
def test_demo_prints_the_summary(demo_output: str, _pristine_demo: Path) -> None:  # noqa: PT019
    """The session's demo run (tests/conftest.py) printed every step's summary."""
    assert "agencies loaded" in demo_output
    assert "Dehong Prefecture Public Security Bureau" in demo_output
    assert "Myanmar Police Force, Muse" in demo_output
    assert "verified" in demo_output
    assert "messy rows" in demo_output
    assert "subscriber alerts" in demo_output  # the detect step ran and stored alerts
    # Records resolved across scripts, groups found with their suspected ringleaders.
    assert "records →" in demo_output and "persons (Splink" in demo_output
    assert "groups found" in demo_output and "mastermind" in demo_output
    # The Muse batch came through the signed exchange and both ledgers agree.
    assert "signed manifest; applied: batch" in demo_output
    assert "ledgers of the two instances: identical" in demo_output
    assert "Dernière mise à jour à" in demo_output and "suspects ont été remis" in demo_output
    assert (_pristine_demo / "scamnet.db").exists()
    assert (_pristine_demo / "world" / "truth" / "subscribers.csv").exists()


def test_demo_refuses_to_wipe_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = runner.invoke(
        app, ["demo", "--no-serve", "--preset", "tiny", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_installed_entry_point_runs() -> None:
    exe = Path(sys.executable).with_name("scamnet")
    out = subprocess.run([str(exe), "version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("scamnet ")


@pytest.mark.slow
def test_demo_serves_the_api(_pristine_demo: Path) -> None:  # noqa: PT019
    """`scamnet demo --serve` really serves: the session's demo (tests/conftest.py) ran as
    a child process, and its health endpoint answered on loopback once it was ready.

    That run went over a directory an earlier demo had left, which it must start afresh
    (the agencies are loaded once, not on top of the last run's).
    """
    output = (_pristine_demo.parent / "demo-output.txt").read_text(encoding="utf-8")
    assert re.search(r"agencies loaded\s+│\s+12\b", output), output
    assert not (_pristine_demo / DEMO_STALE).exists()
    health = (_pristine_demo.parent / "demo-health.txt").read_text(encoding="utf-8")
    assert json.loads(health)["status"] == "ok", health


def test_simulate_writes_a_world(tmp_path: Path) -> None:
    out = tmp_path / "w"
    args = ["simulate", "--out", str(out), "--preset", "tiny", "--seed", "3", "--days", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "calls" in result.output
    assert len(list((out / "calls").glob("*.csv"))) == 2
    assert (out / "truth" / "messy.csv").exists()


def test_simulate_refuses_bad_knobs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--subscribers", "3"])
    assert result.exit_code == 2
    assert "subscribers" in result.output


def test_ingest_prints_a_summary_and_fails_on_unreadable_files(tmp_path: Path) -> None:
    world = tmp_path / "w"
    runner.invoke(app, ["simulate", "--out", str(world), "--preset", "tiny", "--days", "2"])
    data = ["--data-dir", str(tmp_path / "data")]
    register(tmp_path / "data")
    ok = runner.invoke(app, ["ingest", "reports", str(world / "reports.csv"), *data])
    assert ok.exit_code == 0, ok.output
    assert "total" in ok.output
    again = runner.invoke(app, ["ingest", "reports", str(world / "reports.csv"), *data])
    assert re.search(r"same\s+content", again.output)
    bad = runner.invoke(app, ["ingest", "calls", str(tmp_path / "nope.csv"), *data])
    assert bad.exit_code == 1
    assert "no such file" in bad.output
    wrong_kind = runner.invoke(app, ["ingest", "faxes", str(world / "reports.csv")])
    assert wrong_kind.exit_code == 2


def stored_alerts(data: Path, kind: str) -> list[Any]:
    """The alerts of ``kind`` in the data directory's store, strongest first."""
    from scamnet.store import Store
    from scamnet.store.alerts import AlertRepository

    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    with store.session() as s:
        alerts = AlertRepository(s).top(kind, 100_000)
    store.dispose()
    return alerts


def train_model(kind: str, output: Path, *args: str) -> Path:
    """A model signed with the key of the data directory in ``args`` (``--data-dir``)."""
    result = runner.invoke(app, ["model", "train", kind, *args, "--output", str(output)])
    assert result.exit_code == 0, result.output
    return output


def detect(kind: str, model: Path, window: list[str]) -> None:
    result = runner.invoke(app, ["detect", kind, "--model", str(model), *window])
    assert result.exit_code == 0, result.output
    assert f"{kind[:-1]} alerts" in result.output


@pytest.fixture(scope="module")
def tiny_demo(_pristine_demo: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, list[str]]:  # fmt: skip
    """A copy of the tiny demo's data directory (world ingested) and its window of days."""
    data = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(_pristine_demo, data)
    days = sorted(p.name[4:] for p in (data / "lake" / "calls").glob("day=*"))
    return data, ["--from", days[1], "--to", days[-1], "--data-dir", str(data)]


def test_detect_stores_alerts_with_reasons(
    tiny_demo: tuple[Path, list[str]], tmp_path: Path
) -> None:
    import csv as csvmod

    import pyarrow.parquet as pq

    data, window = tiny_demo
    out = tmp_path / "f.parquet"
    assert (
        runner.invoke(
            app, ["features", "subscribers", *window[:4], "--out", str(out), *window[4:]]
        ).exit_code
        == 0
    )
    with (data / "world" / "truth" / "subscribers.csv").open() as fh:
        truth = {r["msisdn"]: r["is_fraud"] for r in csvmod.DictReader(fh)}
    rows = pq.read_table(out).to_pylist()
    labelled = tmp_path / "train.csv"
    with labelled.open("w", newline="") as fh:
        w = csvmod.DictWriter(fh, fieldnames=[*rows[0], "label"])
        w.writeheader()
        w.writerows({**r, "label": truth[r["msisdn"]]} for r in rows if r["msisdn"] in truth)
    model = train_model(
        "subscriber",
        tmp_path / "m",
        "--input",
        str(labelled),
        "--label-column",
        "label",
        *window[4:],
    )
    detect("subscribers", model, window)
    top = stored_alerts(data, "subscriber")[:3]
    assert top
    assert all(a.model == "subscriber_gbm_v2" and a.explanation for a in top)
    assert truth[top[0].subject] == "1"  # the strongest alert is a true operator


BENIGN_URLS = [
    "https://www.amazon.com/orders",
    "https://www.jd.com/",
    "https://www.boc.cn/",
    "https://www.apple.com/iphone",
    "https://mail.google.com/mail/u/0/",
    "https://www.icbc.com.cn/",
    "https://weibo.com/u/123",
    "https://www.12306.cn/index/",
    "https://www.taobao.com/",
    "https://github.com/",
    "https://www.bbc.co.uk/news",
    "https://en.wikipedia.org/wiki/Fraud",
    "https://www.paypal.com/signin",
    "https://www.netflix.com/browse",
    "https://www.microsoft.com/",
    "https://www.ccb.com/",
]


def test_detect_urls_from_messages_with_victim_reports(
    tiny_demo: tuple[Path, list[str]], tmp_path: Path
) -> None:
    import csv as csvmod

    data, window = tiny_demo
    with (data / "world" / "truth" / "messages.csv").open(encoding="utf-8") as fh:
        scam = sorted({r["url"] for r in csvmod.DictReader(fh) if r["url"]})
    with (data / "world" / "reports.csv").open(encoding="utf-8", errors="replace") as fh:
        reported = {r["scammer_url"] for r in csvmod.DictReader(fh) if r.get("scammer_url")}
    # Train on half the scam URLs; the other half, and the reports, must still be found.
    train = tmp_path / "urls.csv"
    with train.open("w", newline="", encoding="utf-8") as fh:
        w = csvmod.writer(fh)
        w.writerow(["url", "label"])
        w.writerows([u, "phishing"] for u in scam[::2])
        w.writerows([u, "benign"] for u in BENIGN_URLS * 2)
    model = train_model(
        "url",
        tmp_path / "url-model",
        "--input",
        str(train),
        "--label-column",
        "label",
        *window[4:],
    )
    detect("urls", model, window)
    alerts = stored_alerts(data, "url")
    # The alerts name the algorithm that shipped (the gate may ship the plain model).
    algorithm = json.loads((model / "model.json").read_text())["algorithm"]
    assert algorithm in {"url_char_svm_v1", "url_char_lr_plain_v1"}
    assert alerts and all(a.model == algorithm and a.explanation for a in alerts)
    flagged = {a.subject for a in alerts}
    assert not flagged & set(BENIGN_URLS)
    assert set(scam[1::2]) & flagged  # scam URLs the model never saw
    assert reported and any("victim report" in a.explanation for a in alerts)


def test_detect_accounts_from_the_lake(tiny_demo: tuple[Path, list[str]], tmp_path: Path) -> None:
    import csv as csvmod
    from datetime import datetime

    data, window = tiny_demo
    with (data / "world" / "truth" / "accounts.csv").open(encoding="utf-8") as fh:
        truth = {r["account"]: r["is_fraud"] for r in csvmod.DictReader(fh)}
    # Train through the contract on the world's own transfers (time in days, as the
    # lake's transfers are read), on every other account.
    tx = tmp_path / "tx.csv"
    seen: dict[str, None] = {}
    with (
        (data / "world" / "transfers.csv").open(encoding="utf-8", errors="replace") as fh,
        tx.open("w", newline="") as out,
    ):
        w = csvmod.writer(out)
        w.writerow(["sourceNodeId", "targetNodeId", "value", "time"])
        for r in csvmod.DictReader(fh):
            try:
                days = datetime.fromisoformat(r["at"]).timestamp() / 86400
                w.writerow([r["source"], r["target"], float(r["amount"]), days])
            except (TypeError, ValueError):
                continue  # the world's messy rows
            seen.update({r["source"]: None, r["target"]: None})
    known = [a for a in seen if a in truth]
    nodes = tmp_path / "nodes.csv"
    with nodes.open("w", newline="") as out:
        w = csvmod.writer(out)
        w.writerow(["nodeid", "isFraud"])
        w.writerows([a, truth[a]] for a in known[::2])
    model = train_model(
        "account",
        tmp_path / "acc",
        "--input",
        str(nodes),
        "--transactions",
        str(tx),
        "--label-column",
        "isFraud",
        *window[4:],
    )
    # A shorter window than the demo's, so these alerts are new and told apart from its own.
    days = sorted(p.name[4:] for p in (data / "lake" / "transfers").glob("day=*"))
    first, last = window[1], days[-2]
    detect("accounts", model, ["--from", first, "--to", last, *window[4:], "--user", "analyst7"])
    alerts = [a for a in stored_alerts(data, "account") if a.window == f"{first}/{last}"]
    # Alerts name accounts (personal data): the run is audited, with what it showed.
    from scamnet.store import Store
    from scamnet.store.audit import AuditLog

    store = Store(f"sqlite:///{data / 'scamnet.db'}")
    with store.session() as s:
        entry = AuditLog(s).entries(f"{first}/{last}")[-1]
        assert AuditLog(s).verify() is None
    store.dispose()
    assert (entry.actor, entry.action) == ("analyst7", "detect.account")
    assert entry.detail["alerts"] == len(alerts) and entry.detail["model"] == "account_gbm_v1"
    assert entry.detail["shown"] == [a.subject for a in alerts[:10]]
    assert alerts and all(a.model == "account_gbm_v1" and a.explanation for a in alerts)
    unseen = {a.subject for a in alerts} & set(known[1::2])
    assert unseen and sum(truth[a] == "1" for a in unseen) / len(unseen) > 0.8


@pytest.mark.slow
def test_demo_models_are_champions_that_detect_runs_again_with(
    tiny_demo: tuple[Path, list[str]],
) -> None:
    """The demo saves its models in its registry: `detect` with no --model uses them."""
    data, window = tiny_demo
    listed = runner.invoke(app, ["model", "list", "--json", "--data-dir", str(data)])
    assert listed.exit_code == 0, listed.output
    versions = json.loads(listed.output)
    assert {v["kind"] for v in versions if v["champion"]} == {"subscriber", "message", "account"}
    for v in versions:
        frozen = v["card"]["frozen_evaluation"]
        assert frozen["rows"] > 0 and frozen["figure"] in frozen["challenger"]
    before = len(stored_alerts(data, "message"))
    again = runner.invoke(app, ["detect", "messages", *window])
    assert again.exit_code == 0, again.output
    assert "(0 new) stored" in again.output  # the same model, window and messages
    assert len(stored_alerts(data, "message")) == before > 0
    no_url = runner.invoke(app, ["detect", "urls", *window])
    assert no_url.exit_code == 2
    assert "no url model is saved" in no_url.output

"""Victim reports raise the scores of the URLs whose domains they name."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.detect.reputation import Reputation, reported_domains

runner = CliRunner()


def test_each_report_leaves_half_the_doubt() -> None:
    reports = reported_domains(
        [
            "http://a.scam.cc/x",
            "https://scam.cc/y?id=2",
            "not a url at all",
            None,
            "",
            "http://other.vip/",
        ]
    )
    assert reports == {"scam.cc": 2, "other.vip": 1}
    scores, why = Reputation(reports).apply(
        ["http://www.scam.cc/pay", "http://other.vip/a", "https://clean.org/", "::bad::"],
        [0.2, 0.0, 0.3, 0.1],
        ["“pay”", "", "", ""],
    )
    assert scores == pytest.approx([1 - 0.8 / 4, 0.5, 0.3, 0.1])
    assert why[0] == "named in 2 victim reports (scam.cc); “pay”"
    assert why[1] == "named in 1 victim report (other.vip)"
    assert why[2:] == ["", ""]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def test_score_takes_reports_for_urls_only(tmp_path: Path) -> None:
    benign = [f"https://www.site{i}.org/page/{i}" for i in range(30)]
    phishing = [f"http://paypa1-verify{i}.cc/login?id={i}" for i in range(30)]
    train = _write(
        tmp_path / "train.csv",
        ["url", "label"],
        [[u, "benign"] for u in benign] + [[u, "phishing"] for u in phishing],
    )
    model = tmp_path / "m"
    result = runner.invoke(
        app,
        [
            "model",
            "train",
            "url",
            "--input",
            str(train),
            "--label-column",
            "label",
            "--output",
            str(model),
        ],
    )
    assert result.exit_code == 0, result.output
    # A plain-looking URL, reported twice, and one nobody reported.
    test = _write(
        tmp_path / "test.csv",
        ["id", "url"],
        [["u1", "https://www.quietshop.org/page/3"], ["u2", "https://www.site7.org/page/2"]],
    )
    reports = _write(
        tmp_path / "reports.csv",
        ["report_id", "scammer_url"],
        [["R1", "http://quietshop.org/"], ["R2", "https://pay.quietshop.org/x"], ["R3", ""]],
    )
    args = ["model", "score", "url", "--model", str(model), "--input", str(test)]
    assert runner.invoke(app, [*args, "--output", str(tmp_path / "plain.csv")]).exit_code == 0
    result = runner.invoke(
        app, [*args, "--reports", str(reports), "--output", str(tmp_path / "p.csv")]
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "plain.csv").open() as fh:
        plain = list(csv.DictReader(fh))
    with (tmp_path / "p.csv").open() as fh:
        lifted = list(csv.DictReader(fh))
    assert plain[0]["label"] == "benign" and lifted[0]["label"] == "phishing"
    assert float(lifted[0]["score"]) == pytest.approx(
        1 - (1 - float(plain[0]["score"])) / 4, abs=1e-5
    )
    assert lifted[0]["why"].startswith("named in 2 victim reports (quietshop.org)")
    assert lifted[1] == plain[1]  # nobody reported it: unchanged
    wrong = runner.invoke(
        app,
        [
            "model",
            "score",
            "message",
            "--model",
            str(model),
            "--input",
            str(test),
            "--reports",
            str(reports),
            "--output",
            str(tmp_path / "x.csv"),
        ],
    )
    assert wrong.exit_code == 2 and "url only" in wrong.output

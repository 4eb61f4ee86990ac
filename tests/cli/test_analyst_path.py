"""The analyst's everyday path on the demo world, through the CLI only: triage the
alerts, find a person by a Latin name, open a case from a group, read it, export it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.core.access import UserRole
from tests.support.users import register

runner = CliRunner()
pytestmark = pytest.mark.slow


def cli(data_dir: Path, *args: str, code: int = 0) -> str:
    argv = [*args, "--data-dir", str(data_dir), "--agency", "CN-YN-DH", "--user", "ana"]
    result = runner.invoke(app, argv, env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    return result.output


def as_json(data_dir: Path, *args: str) -> Any:
    return json.loads(cli(data_dir, *args, "--json"))


def seeded_by_alert(data_dir: Path, subject: str) -> bool:
    """Whether the last network run took ``subject`` in as an alerted seed."""
    groups = [g["group"]["id"] for g in as_json(data_dir, "network", "list")]
    for gid in groups:
        for m in as_json(data_dir, "network", "show", str(gid))["members"]:
            if m["node"].endswith(subject) and "subscriber alert" in m["evidence"]:
                return True
    return False


def test_the_analyst_path(demo_world: Path) -> None:
    # An analyst who also opens cases and exports, as the path below does.
    register(demo_world, "ana", roles=frozenset({UserRole.ANALYST, UserRole.SUPERVISOR}))
    queue = as_json(demo_world, "alerts", "list", "--kind", "subscriber", "--status", "open")
    assert queue["total"] > 2
    first, second = queue["alerts"][0], queue["alerts"][1]
    assert first["score"] >= second["score"] and first["explanation"]

    cli(demo_world, "alerts", "verdict", str(first["id"]), "confirmed", "--note", "report R1")
    cli(demo_world, "alerts", "verdict", str(second["id"]), "false-positive", "--note", "a shop")
    shown = as_json(demo_world, "alerts", "show", str(second["id"]))
    assert shown["alert"]["verdict"] == "false_positive"
    assert shown["verdicts"][0]["note"] == "a shop"
    after = as_json(demo_world, "alerts", "list", "--kind", "subscriber", "--status", "open")
    assert after["total"] == queue["total"] - 2

    # The refuted number no longer seeds the network; the confirmed one still does.
    assert seeded_by_alert(demo_world, second["subject"])
    cli(demo_world, "network", "groups")
    assert not seeded_by_alert(demo_world, second["subject"])
    assert seeded_by_alert(demo_world, first["subject"])

    # A person found by a name in Latin letters only, reaching the record in 汉字.
    group = as_json(demo_world, "network", "show", "1")
    named = next(m for m in group["members"] if m["person"])
    han = named["person"]
    from pypinyin import lazy_pinyin

    latin = " ".join(lazy_pinyin(han)).title()
    found = as_json(demo_world, "resolve", "match", "--name", latin)
    assert any(c["record"]["name"] == han for c in found), (latin, found)

    # A case from a group; the same case again is refused, naming the open one.
    listed = runner.invoke(app, ["case", "list", "--json", "--data-dir", str(demo_world)])
    assert listed.exit_code == 0, listed.output
    opened = listed.output
    from_group = [c for c in json.loads(opened) if c["origin"] == "group"]
    gid = from_group[0]["origin_ref"]
    refused = cli(demo_world, "case", "open", "Again", "--origin", "group", "--ref", gid, code=1)
    assert "already open" in refused
    reference = from_group[0]["reference"]
    case = as_json(demo_world, "case", "show", reference)
    assert case["suspects"] and all(s["person"]["names"] for s in case["suspects"])
    assert any(s["person"]["nationality"] for s in case["suspects"])

"""The network commands on the tiny demo world, checked against its ground truth."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import igraph as ig
import pytest
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import select
from typer.testing import CliRunner

from scamnet.cli.main import app
from scamnet.store import Store
from scamnet.store.models import GroupRow
from scamnet.store.tables.network import GroupNodeRow

runner = CliRunner()

# Each test here runs a demo world, a whole dataset or two servers: over 10 s.
pytestmark = pytest.mark.slow


def run(data_dir: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def demo(_pristine_demo: Path, demo_output: str, tmp_path_factory: pytest.TempPathFactory
         ) -> Path:  # fmt: skip
    """A copy of the session's tiny demo (tests/conftest.py), whose run found the networks."""
    assert "Networks" in demo_output and "mastermind" in demo_output
    root = tmp_path_factory.mktemp("netdemo") / "demo"
    shutil.copytree(_pristine_demo, root)
    return root


def _groups(root: Path) -> dict[int, set[str]]:
    store = Store(f"sqlite:///{root / 'scamnet.db'}")
    out: dict[int, set[str]] = {}
    with store.session() as s:
        rows = s.execute(
            select(GroupNodeRow.group_id, GroupNodeRow.node)
            .join(GroupRow, GroupRow.id == GroupNodeRow.group_id)
            .where(GroupRow.origin == "network")
        )
        for gid, node in rows:
            out.setdefault(gid, set()).add(node)
    store.dispose()
    return out


def test_groups_match_the_true_groups(demo: Path) -> None:
    truth = {}
    with (demo / "world" / "truth" / "subscribers.csv").open(encoding="utf-8") as fh:
        truth.update({f"tel:{r['msisdn']}": r["group_id"] for r in csv.DictReader(fh)})
    with (demo / "world" / "truth" / "accounts.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):  # wallets keep core's prefix, not the bank accounts'
            key = f"wallet:trx:{r['account']}" if r["kind"] == "wallet" else f"acct:{r['account']}"
            truth[key] = r["group_id"]
    found, true = [], []
    for gid, nodes in _groups(demo).items():
        for node in nodes:
            if truth.get(node, "-1") not in ("-1", ""):
                found.append(gid)
                true.append(truth[node])
    assert len(found) > 100
    assert adjusted_rand_score(true, found) >= 0.9
    assert any(
        node.startswith("wallet:trx:T") for nodes in _groups(demo).values() for node in nodes
    )


def test_rerun_keeps_group_ids(demo: Path) -> None:
    before = _groups(demo)
    run(demo, "network", "groups")
    after = _groups(demo)
    assert set(after) == set(before)
    for gid, nodes in after.items():
        assert len(nodes & before[gid]) >= 0.9 * len(before[gid])


def test_show_and_exports(demo: Path, tmp_path: Path) -> None:
    gid = min(_groups(demo))
    shown = run(demo, "network", "show", str(gid), "--limit", "5")
    assert "mastermind" in shown and "site:" in shown and "command 1.00" in shown
    run(demo, "network", "export", str(gid), "--out", str(tmp_path / "g.graphml"))
    graph = ig.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert graph.vcount() >= len(_groups(demo)[gid]) and graph.ecount() > 0
    run(
        demo,
        "network",
        "export",
        str(gid),
        "--format",
        "cytoscape",
        "--out",
        str(tmp_path / "g.json"),
    )
    doc = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    roles = {e["data"].get("role") for e in doc["elements"]["nodes"]}
    assert "mastermind" in roles
    assert "no group 999" in run(demo, "network", "show", "999", code=1)


def test_a_case_from_a_group_takes_its_known_members(demo: Path) -> None:
    gid = min(_groups(demo))
    listed = run(demo, "case", "list")
    assert f"group {gid}" in listed  # the demo opened one case per network group
    # Opening the same case twice is refused, naming the open case.
    again = run(
        demo,
        "case",
        "open",
        "From the network",
        "--origin",
        "group",
        "--ref",
        str(gid),
        "--agency",
        "CN-YN-DH",
        code=1,
    )
    assert "already open for group" in again
    reference = again.split("case ")[1].split()[0]
    shown = run(demo, "case", "show", reference, "--agency", "CN-YN-DH")
    assert "identified" in shown and "tel:+" in shown

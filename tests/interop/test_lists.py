"""Machine-readable lists (groups, person clusters, the lake's records of a window),
the handling ceiling, the audit of every export, and one clear line for a bad path."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from scamnet.store import Store
from scamnet.store.models import AuditRow
from tests.interop.conftest import Cli

pytestmark = pytest.mark.slow  # they run on the demo world


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_groups_as_json_and_csv(cli: Cli, tmp_path: Path) -> None:
    cli("export", "groups", "--out", str(tmp_path / "g.json"))
    groups = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))["groups"]
    assert len(groups) >= 2
    one = groups[0]
    assert one["sites"] and one["sites"][0]["radius_km"] > 0 and one["handling"] == "H1"
    ranks = [m["rank"] for m in one["members"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert {"mastermind", "member"} <= {m["role"] for m in one["members"]}
    assert any(m["person"] for m in one["members"])
    cli("export", "groups", "--format", "csv", "--out", str(tmp_path / "g.csv"))
    members = _rows(tmp_path / "g.csv")
    assert len(members) == sum(len(g["members"]) for g in groups)
    assert {r["kind"] for r in members} <= {"tel", "acct", "wallet", "imei"}
    sites = _rows(tmp_path / "g.sites.csv")
    assert len(sites) == sum(len(g["sites"]) for g in groups)


def test_person_clusters(cli: Cli, tmp_path: Path) -> None:
    cli("resolve", "export", "--out", str(tmp_path / "c.csv"))
    rows = _rows(tmp_path / "c.csv")
    assert rows and all(r["person"].startswith("RP-") for r in rows)
    by_person: dict[str, set[str]] = {}
    for r in rows:
        by_person.setdefault(r["person"], set()).add(r["source"])
    assert any(len(sources) > 1 for sources in by_person.values())  # joined across sources
    cli("resolve", "export", "--format", "json", "--out", str(tmp_path / "c.json"))
    clusters = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["clusters"]
    assert len(clusters) == len(rows)


def test_lake_records_of_a_window(world: Path, cli: Cli, tmp_path: Path) -> None:
    said = cli("lake", "export", "--kind", "transfers", "--from", "2023-10-01", "--to",
               "2023-10-02", "--out", str(tmp_path / "t.csv"))  # fmt: skip
    rows = _rows(tmp_path / "t.csv")
    lake = world / "lake" / "transfers"
    expected = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{lake}/*/*.parquet', hive_partitioning = false) "
        "WHERE \"at\" >= TIMESTAMPTZ '2023-10-01 00:00:00+00' "
        "AND \"at\" < TIMESTAMPTZ '2023-10-03 00:00:00+00'"
    ).fetchall()
    assert len(rows) == expected[0][0] > 0
    assert f"{len(rows):,} transfers" in said
    assert list(rows[0]) == ["source", "target", "amount", "currency", "at"]
    cli("lake", "export", "--kind", "calls", "--from", "2023-10-01", "--to", "2023-10-01",
        "--format", "parquet", "--out", str(tmp_path / "c.parquet"))  # fmt: skip
    calls = pq.read_table(tmp_path / "c.parquet")
    assert calls.num_rows > 0
    days = {t.date().isoformat() for t in calls.column("start").to_pylist()}
    assert days == {"2023-10-01"}
    assert "before it starts" in cli("lake", "export", "--kind", "calls", "--from", "2023-10-02",
                                     "--to", "2023-10-01", "--out", str(tmp_path / "x.csv"),
                                     code=1)  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("network", "export", "1"),
        ("export", "gexf", "1"),
        ("export", "ftm"),
        ("export", "stix"),
        ("export", "misp"),
        ("export", "geojson"),
        ("export", "groups"),
        ("resolve", "export"),
        ("lake", "export", "--kind", "calls", "--from", "2023-10-01", "--to", "2023-10-01"),
    ],
)
def test_an_unwritable_path_is_one_clear_line(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "no-such-dir" / "x.out"
    said = cli(*args, "--out", str(out), code=1)
    assert "Traceback" not in said and said.count("\n") == 1
    assert f"cannot write {out}: no directory" in " ".join(said.split())
    assert not out.parent.exists()


def test_every_export_is_audited_with_its_ceiling(world: Path, cli: Cli, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{world / 'scamnet.db'}")

    def exports() -> list[AuditRow]:
        with store.session() as s:
            actions = ("interop.export", "network.export", "resolve.export", "lake.export")
            return list(s.scalars(select(AuditRow).where(AuditRow.action.in_(actions))))

    before = len(exports())
    cli("export", "groups", "--handling", "H0", "--out", str(tmp_path / "h0.json"))
    after = exports()
    store.dispose()
    assert len(after) == before + 1
    detail = json.loads(after[-1].detail)
    assert after[-1].actor == "ana" and detail["ceiling"] == "H0" and detail["left_out"] >= 2
    # Every group is H1 until the store codes them: under H0 none leaves.
    assert json.loads((tmp_path / "h0.json").read_text(encoding="utf-8")) == {"groups": []}
    refused = cli("export", "gexf", "1", "--handling", "H0", "--out", str(tmp_path / "x.gexf"),
                  code=1)  # fmt: skip
    assert "above the export ceiling H0" in refused and not (tmp_path / "x.gexf").exists()
    assert "unknown handling code" in cli("export", "stix", "--handling", "H9", "--out",
                                          str(tmp_path / "y.json"), code=2)  # fmt: skip

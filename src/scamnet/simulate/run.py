"""Run a simulation and write the world to a directory (layout in docs/simulator.md)."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from scamnet.simulate import names
from scamnet.simulate.cdr import CallGenerator
from scamnet.simulate.config import SimConfig
from scamnet.simulate.enforcement import generate_enforcement
from scamnet.simulate.messy import MessyEntry, corrupt_csv, write_rows
from scamnet.simulate.money import Ledger, generate_money
from scamnet.simulate.observed import generate_messages, generate_reports, group_profiles, iso
from scamnet.simulate.world import FRAUD, KIND_NAMES, World, build_world

CALL_FIELDS = {"phone": 0, "time": 2, "number": 3}  # caller, start, duration_s


@dataclass
class SimulationSummary:
    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    messy_rows: int = 0
    seconds: float = 0.0
    peak_rss_mib: float = 0.0


def simulate(config: SimConfig, out_dir: Path, progress: bool = False) -> SimulationSummary:
    """Generate the world of ``config`` into ``out_dir`` (created; files are overwritten)."""
    t0 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = out_dir / "truth"
    truth.mkdir(exist_ok=True)
    summary = SimulationSummary(out_dir)
    world = build_world(config)
    rng = random.Random(config.seed + 11)
    messy: list[MessyEntry] = []

    _write_cells(world, out_dir)
    engaged, n_calls = _write_calls(world, out_dir, messy, progress)
    summary.counts["calls"] = n_calls
    types, domains = group_profiles(world, rng)
    msg_rows, msg_truth = generate_messages(world, rng, types, domains)
    messy += write_rows(out_dir / "messages.csv", msg_rows, config.messy_rate, rng, "messages.csv",
                        phone="sender", time="sent_at", number="sender")  # fmt: skip
    _write_dicts(truth / "messages.csv", msg_truth)
    summary.counts["messages"] = len(msg_rows)

    ledger = generate_money(world, engaged, rng)
    base = CallGenerator(world).base
    transfers = [
        {"source": s, "target": d, "amount": f"{a:.2f}", "currency": c, "at": iso(base, t)}
        for s, d, a, c, t in sorted(ledger.rows, key=lambda r: r[4])
    ]
    messy += write_rows(out_dir / "transfers.csv", transfers, config.messy_rate, rng,
                        "transfers.csv", phone="source", time="at", number="amount")  # fmt: skip
    summary.counts["transfers"] = len(transfers)
    report_rows, report_truth = generate_reports(world, ledger, rng, types, domains)
    messy += write_rows(
        out_dir / "reports.csv", report_rows, config.messy_rate, rng, "reports.csv",
        phone="scammer_phone", time="filed_at", number="loss",
    )  # fmt: skip
    _write_dicts(truth / "reports.csv", report_truth)
    summary.counts["reports"] = len(report_rows)

    phones = {int(p): str(world.subs.msisdn[i]) for i, p in enumerate(world.subs.person)
              if p >= 0 and str(world.subs.msisdn[i]).startswith("+86")}  # fmt: skip
    rec = generate_enforcement(world, rng, phones)
    for name, rows, fields in (
        ("persons.csv", rec.persons, ("phone", "birth_date", "id_number")),
        ("wanted.csv", rec.wanted, ("id_number", "issued_at", "birth_date")),
        ("handovers.csv", rec.handovers, ("name", "date", "seq")),
    ):
        messy += write_rows(out_dir / name, rows, config.messy_rate, rng, name, *fields)
        summary.counts[name.removesuffix(".csv")] = len(rows)
    _write_dicts(truth / "events.csv", rec.events)
    _write_dicts(truth / "record_links.csv", rec.links)
    _write_truth(world, ledger, rec.status, types, domains, truth)
    _write_dicts(
        truth / "messy.csv", [{"file": f, "line": str(n), "defect": d} for f, n, d in messy]
    )
    summary.messy_rows = len(messy)
    summary.seconds = time.perf_counter() - t0
    summary.peak_rss_mib = peak_rss_mib()
    manifest = {"config": {k: str(v) for k, v in dataclasses.asdict(config).items()},
                "counts": summary.counts, "messy_rows": summary.messy_rows}  # fmt: skip
    (out_dir / "world.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return summary


def _write_dicts(path: Path, rows: list[dict[str, str]]) -> None:
    write_rows(path, rows, 0.0, random.Random(0), path.name)


def _write_cells(world: World, out: Path) -> None:
    c = world.cells
    table = pa.table({"cell_id": c.ids, "lat": c.lat.round(5), "lon": c.lon.round(5),
                      "country": c.country, "region": c.region, "border": c.border})  # fmt: skip
    pacsv.write_csv(table, out / "cells.csv")


def _write_calls(
    world: World, out: Path, messy: list[MessyEntry], progress: bool
) -> tuple[list[tuple[int, int, int]], int]:
    calls_dir = out / "calls"
    calls_dir.mkdir(exist_ok=True)
    for old in calls_dir.glob("calls-*"):
        old.unlink()
    gen = CallGenerator(world)
    cfg = world.config
    engaged: list[tuple[int, int, int]] = []
    total = 0
    opts = pacsv.WriteOptions(quoting_style="none")
    for d in range(cfg.days):
        table = gen.day(d)
        engaged += gen.engaged
        for k, start in enumerate(range(0, table.num_rows, cfg.chunk_rows)):
            part = table.slice(start, cfg.chunk_rows)
            name = f"calls-{world.day(d).isoformat()}-{k:02d}"
            if cfg.call_format == "parquet":
                pq.write_table(part, calls_dir / f"{name}.parquet", compression="zstd")
            else:
                sink = pa.BufferOutputStream()
                pacsv.write_csv(part, sink, opts)
                data, entries = corrupt_csv(
                    sink.getvalue().to_pybytes(), cfg.messy_rate, cfg.seed * 1000 + d * 10 + k,
                    f"calls/{name}.csv", **CALL_FIELDS,
                )  # fmt: skip
                (calls_dir / f"{name}.csv").write_bytes(data)
                messy += entries
            total += part.num_rows
        if progress:
            print(f"  day {d + 1}/{cfg.days}: {total:,} calls")
    return engaged, total


def _write_truth(world: World, ledger: Ledger, status: dict[int, str], types: list[list[str]],
                 domains: list[list[str]], truth: Path) -> None:  # fmt: skip
    s = world.subs
    device_imei = world.imeis[s.device]
    pacsv.write_csv(pa.table({
        "msisdn": s.msisdn, "kind": [KIND_NAMES[int(k)] for k in s.kind],
        "is_fraud": (s.kind == FRAUD).astype("int8"), "person_id": s.person, "group_id": s.group,
        "site_id": s.site, "active_from": s.active_from, "active_to": s.active_to,
        "imei": device_imei, "imitates": s.imitates.astype("int8"),
    }), truth / "subscribers.csv")  # fmt: skip
    _write_dicts(truth / "persons.csv", [{
        "person_id": str(p.id), "name": p.han, "pinyin": names.standard_pinyin(p.han),
        "birth_date": p.birth_date.isoformat(), "id_number": p.id_number, "passport": p.passport,
        "group_id": str(p.group), "role": p.role.value, "sub_role": p.sub_role,
        "boss_id": "" if p.boss is None else str(p.boss), "trafficked": str(int(p.trafficked)),
        "site_id": "" if p.site is None else str(p.site),
        "status": status.get(p.id, "identified"),
    } for p in world.persons])  # fmt: skip
    _write_dicts(truth / "groups.csv", [{
        "group_id": str(g), "name": world.group_names[g], "fraud_types": ";".join(types[g]),
        "domains": ";".join(domains[g]),
    } for g in range(world.config.groups)])  # fmt: skip
    _write_dicts(truth / "sites.csv", [{
        "site_id": str(x.id), "group_id": str(x.group_id), "name": x.name, "lat": f"{x.lat:.5f}",
        "lon": f"{x.lon:.5f}", "country": x.country, "region": x.region, "crossing": x.crossing,
    } for x in world.sites])  # fmt: skip
    _write_dicts(truth / "accounts.csv", [{
        "account": a, "kind": k, "person_id": str(p), "group_id": str(g),
        "is_fraud": str(int(k in ("mule1", "mule2", "organiser", "wallet"))),
    } for a, (k, p, g) in ledger.accounts.items()])  # fmt: skip
    _write_dicts(truth / "handsets.csv", [{
        "imei": str(world.imeis[h.device]), "kind": h.kind, "msisdn": str(s.msisdn[h.subscriber]),
    } for h in world.handsets])  # fmt: skip
    _write_dicts(truth / "money_flows.csv", [{
        "account": a, "kind": ledger.accounts[a][0], "total_in": f"{f[0]:.2f}",
        "total_out": f"{f[1]:.2f}", "retained": f"{f[2]:.2f}",
    } for a, f in ledger.flows.items()])  # fmt: skip


def peak_rss_mib() -> float:
    """The process's peak resident memory in MiB, or 0.0 where the platform has no
    ``resource`` module (Windows): the figure is informative, the world is the same."""
    try:
        import resource
    except ImportError:
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

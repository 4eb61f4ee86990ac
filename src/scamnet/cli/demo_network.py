"""The demo's analysis steps after detection: who is who, and the networks."""

from __future__ import annotations

from collections import Counter

from rich.table import Table

from scamnet.cli.context import console
from scamnet.cli.network import print_groups, run_groups
from scamnet.resolve import model as er_model
from scamnet.resolve.run import resolve
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.resolution import ResolutionRepository, source_records


def resolve_world(store: Store, settings: Settings) -> None:
    """Resolve person records, warrants and manifest lines; show what was joined."""
    with store.session() as session:
        records = source_records(session)
        repo = ResolutionRepository(session)
        result = resolve(records, repo.clusters(), *repo.judgements())
        repo.replace_clusters(result.clusters, "demo")
    er_model.save(result.model, settings.data_dir / "models" / "er" / "model.json")
    kinds: dict[str, set[str]] = {}
    for uid, cid in result.clusters.items():
        kinds.setdefault(cid, set()).add(uid.split(":")[0])
    joined = Counter(" + ".join(sorted(k)) for k in kinds.values())
    table = Table(
        "resolved persons",
        "count",
        title=f"{len(records):,} records → {len(kinds):,} persons (Splink, DuckDB)",
    )
    for key, n in joined.most_common():
        table.add_row(f"from {key}", f"{n:,}")
    console.print(table)
    cross = next(
        (
            p
            for p in result.pairs
            if p.uid_l.startswith("manifest:") != p.uid_r.startswith("manifest:")
            and p.probability > 0.99
        ),
        None,
    )
    if cross is not None:
        names = {r.uid: r.name for r in records}
        console.print(
            f"for example {names[cross.uid_l]!r} = {names[cross.uid_r]!r} "
            f"(p = {cross.probability:.3f}: {'; '.join(cross.reasons)})"
        )


def network_world(store: Store, settings: Settings) -> None:
    """Find the groups from the alerts and reports, with their suspected ringleaders."""
    with store.session() as session:
        result, _ids = run_groups(session, settings.data_dir, "demo")
        sub = result.subgraph
        console.print(
            f"suspected subgraph grown from alerts and reports: {len(sub.nodes):,} "
            f"nodes, {len(sub.edges[0]):,} ties; {len(result.groups)} groups found"
        )
        print_groups(session)

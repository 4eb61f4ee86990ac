"""The demo's analysis steps after detection: who is who, and the networks."""

from __future__ import annotations

from scamnet.cli.context import console
from scamnet.cli.network import print_groups
from scamnet.cli.output import Table
from scamnet.cli.progress import step
from scamnet.core.access import Actor
from scamnet.network import service
from scamnet.resolve import service as resolve_service
from scamnet.settings import Settings
from scamnet.store import Store

DEMO = Actor("demo", "CN-YN-DH")  # the demo plays the Dehong bureau


def resolve_world(store: Store, settings: Settings) -> None:
    """Resolve person records, warrants and manifest lines; show what was joined."""
    with store.session() as session, step("resolving persons (Splink)"):
        summary = resolve_service.resolve_persons(session, settings, DEMO)
    records, result, joined = summary.records, summary.result, summary.sources()
    table = Table(
        "resolved persons",
        "count",
        title=f"{len(records):,} records → {sum(joined.values()):,} persons (Splink, DuckDB)",
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
        with step("growing the suspected subgraph and finding groups (Leiden)"):
            result, _ids = service.run_groups(session, settings, DEMO)
        found = service.list_groups(session, DEMO)
        sub = result.subgraph
        console.print(
            f"suspected subgraph grown from alerts and reports: {len(sub.nodes):,} "
            f"nodes, {len(sub.edges[0]):,} ties; {len(result.groups)} groups found"
        )
        print_groups(found)

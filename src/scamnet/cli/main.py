"""The ``scamnet`` application: the command groups, registered by name and loaded lazily."""

from __future__ import annotations

import typer

from scamnet import __version__
from scamnet.cli.lazy import Lazy, LazyGroup


def _c(name: str, attribute: str, help: str) -> Lazy:
    return Lazy(f"scamnet.cli.{name}", attribute, help)


COMMANDS: dict[str, Lazy] = {
    "alerts": _c("alerts", "app", "Alert triage: list, show, assign, and give a verdict."),
    "audit": _c("audit", "app",
                "The audit log: who did and read what; verify the chain, sign checkpoints."),
    "case": _c("cases", "app", "Cases and suspects: open, add, move through the lifecycle."),
    "db": _c("db", "app",
             "Manage the relational store (SQLite by default, PostgreSQL in production)."),
    "demo": _c("demo", "run",
               "Run the demo: simulate a world, migrate a fresh store, load agencies, summarise."),
    "detect": _c("detect", "app", "Score the ingested data and store alerts with their reasons."),
    "exchange": _c("exchange", "app",
                   "Signed exchange with partner agencies' instances (files or HTTP)."),
    "export": _c("interop", "export_app",
                 "Export for other tools: FtM, STIX 2.1, MISP, GraphML, GEXF, Cytoscape, i2, "
                 "GeoJSON, lists."),
    "features": _c("features", "app", "Compute feature tables from the ingested records."),
    "handover": _c("handover", "app",
                   "Handover batches: import a manifest, record custody, show a batch."),
    "import": _c("interop", "import_app",
                 "Import FollowTheMoney persons or STIX 2.1 indicators from other tools."),
    "ingest": _c("ingest", "app",
                 "Take files in: validate every row, store the good ones, keep the rejects "
                 "with reasons."),
    "lake": _c("lake", "app",
               "The record lake: check it, and repair what an interrupted ingest left."),
    "model": _c("model", "app", "Train, score and evaluate the fraud detectors."),
    "network": _c("network", "app",
                  "Criminal networks: groups, roles, compounds (Leiden on the suspected "
                  "subgraph)."),
    "operation": _c("operation", "app",
                    "Operations (raids, sweeps): targets and outcomes, counted in statistics."),
    "share": _c("share", "app",
                 "Sharing rules: let another agency read records up to a handling code."),
    "user": _c("user", "app",
               "Users: add, list, disable, change passwords, roles and API tokens."),
    "report": _c("report", "app", "Statistics and bulletins, always computed from the records."),
    "resolve": _c("resolve", "app", "Entity resolution of persons (Splink on DuckDB or Spark)."),
    "serve": _c("serve", "run", "Serve the API until interrupted."),
    "simulate": _c("simulate", "run",
                   "Simulate a fraud world (calls, messages, money, reports, manifests) with "
                   "ground truth."),
    "stream": _c("stream", "app",
                 "The stream: NATS JetStream workers, a producer, watch lists."),
    "transfer": _c("transfer", "app",
                   "Transfer requests: sent, acknowledged, executed or refused."),
}  # fmt: skip


class RootGroup(LazyGroup):
    registry = COMMANDS


app = typer.Typer(
    name="scamnet",
    help="scamnet: the open platform against telephone and internet fraud.",
    no_args_is_help=True,
    add_completion=False,
    cls=RootGroup,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """scamnet: the open platform against telephone and internet fraud."""


@app.command()
def version() -> None:
    """Print the scamnet version."""
    typer.echo(f"scamnet {__version__}")


if __name__ == "__main__":
    app()

"""The ``scamnet`` application: wires the command groups together."""

from __future__ import annotations

import typer

from scamnet import __version__
from scamnet.cli import (
    alerts,
    audit,
    cases,
    db,
    demo,
    detect,
    exchange,
    features,
    handover,
    ingest,
    model,
    network,
    operation,
    report,
    resolve,
    serve,
    simulate,
    transfer,
)

app = typer.Typer(
    name="scamnet",
    help="scamnet: the open platform against telephone and internet fraud.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(features.app, name="features")
app.add_typer(model.app, name="model")
app.add_typer(detect.app, name="detect")
app.add_typer(alerts.app, name="alerts")
app.add_typer(cases.app, name="case")
app.add_typer(transfer.app, name="transfer")
app.add_typer(handover.app, name="handover")
app.add_typer(exchange.app, name="exchange")
app.add_typer(audit.app, name="audit")
app.add_typer(operation.app, name="operation")
app.add_typer(report.app, name="report")
app.add_typer(resolve.app, name="resolve")
app.add_typer(network.app, name="network")
app.command(name="demo")(demo.run)
app.command(name="serve")(serve.run)
app.command(name="simulate")(simulate.run)
app.command(name="ingest")(ingest.run)


@app.command()
def version() -> None:
    """Print the scamnet version."""
    typer.echo(f"scamnet {__version__}")


if __name__ == "__main__":
    app()

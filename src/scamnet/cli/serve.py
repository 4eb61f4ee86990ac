"""``scamnet serve``: the HTTP API (and the exchange endpoint partners post to)."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import DataDirOption, settings_for


def run(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface (loopback unless you mean it).")] = (
        "127.0.0.1"
    ),
    data_dir: DataDirOption = None,
) -> None:
    """Serve the API until interrupted."""
    from scamnet.api.serve import serve_api  # uvicorn is only loaded when serving

    serve_api(settings_for(data_dir), host=host, port=port)

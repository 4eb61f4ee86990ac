"""``scamnet serve``: the HTTP API (and the exchange endpoint partners post to)."""

from __future__ import annotations

from typing import Annotated

import typer

from scamnet.cli.context import DataDirOption, fail, settings_for
from scamnet.settings import Settings


def run(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface (loopback unless you mean it).")] = (
        "127.0.0.1"
    ),
    data_dir: DataDirOption = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Processes accepting on the one socket.")
    ] = 1,
) -> None:
    """Serve the API until interrupted.

    After upgrading scamnet, run `scamnet db upgrade` first: a server refuses a store
    whose schema is behind.
    """
    from scamnet.api.serve import serve_api  # uvicorn is only loaded when serving

    settings = settings_for(data_dir)
    _schema_at_head(settings)
    serve_api(settings, host=host, port=port, workers=workers)


def _schema_at_head(settings: Settings) -> None:
    """A server never migrates: several may start at once behind a load balancer, and
    an upgrade is the operator's step (`scamnet db upgrade`, once, before them)."""
    from scamnet.store import Store

    try:
        store = Store(settings.database_url)
        current, head = store.current_revision(), store.head_revision()
        store.dispose()
    except Exception as exc:  # a bad URL, a missing driver, an unreachable server
        first = (str(exc).splitlines() or [""])[0][:300]
        raise fail(f"cannot open the store: {type(exc).__name__}: {first}", 2) from None
    if current != head:
        raise fail(
            f"the store's schema is at {current or 'empty'}, this version needs {head}: "
            "run `scamnet db upgrade` first",
            2,
        )

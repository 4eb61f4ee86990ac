"""Serving the API with uvicorn on the loopback interface."""

from __future__ import annotations

import uvicorn

from scamnet.api.app import BODY_TIMEOUT_S, create_app
from scamnet.settings import Settings
from scamnet.store import Store


def serve_api(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    body_timeout: float = BODY_TIMEOUT_S,
) -> None:
    """Serve until interrupted (Ctrl-C).

    A request body must arrive within ``body_timeout`` seconds (the app closes the
    connection otherwise); idle keep-alive connections are closed after 5 s, and
    headers larger than h11's limit are refused by the server.
    """
    store = Store(settings.database_url)
    print(f"serving the scamnet API on http://{host}:{port}/docs (Ctrl-C to stop)")
    uvicorn.run(
        create_app(store, settings.data_dir, body_timeout=body_timeout),
        host=host,
        port=port,
        log_level="warning",
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
    )

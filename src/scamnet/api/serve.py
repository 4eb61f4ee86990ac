"""Serving the API with uvicorn on the loopback interface."""

from __future__ import annotations

import uvicorn

from scamnet.api.app import create_app
from scamnet.settings import Settings
from scamnet.store import Store


def serve_api(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (Ctrl-C)."""
    store = Store(settings.database_url)
    print(f"serving the scamnet API on http://{host}:{port}/docs (Ctrl-C to stop)")
    uvicorn.run(create_app(store, settings.data_dir), host=host, port=port, log_level="warning")

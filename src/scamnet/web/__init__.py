"""The web interface: pages rendered on the server (Jinja2 + htmx), served by
``scamnet serve`` beside the API, in French, Chinese and English.

Every page parses its input, calls the use case the CLI command of the same name calls,
and presents the result; nothing is loaded from outside the instance at run time.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    """Add the pages and their static files (vendored libraries included) to ``app``."""
    from scamnet.web import (
        admin,
        alerts,
        bulletins,
        casework,
        citizens,
        dashboard,
        dissuasion,
        groups,
        handovers,
        identifiers,
        login,
        persons,
        purpose,
    )

    for module in (
        login,
        dashboard,
        alerts,
        dissuasion,
        groups,
        persons,
        casework,
        identifiers,
        purpose,
        handovers,
        bulletins,
        admin,
        citizens,
    ):
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

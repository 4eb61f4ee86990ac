"""No traceback, ever: every error reaches the user as one line saying what is wrong.

Domain refusals, missing records, forbidden actions and file problems are the user's
to fix, and print their message. Anything else is a fault of scamnet: it prints its
type only (a traceback could carry the row values or SQL parameters being handled),
and the full traceback when ``SCAMNET_DEBUG=1``.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from typer.core import TyperGroup

from scamnet.core.errors import DomainError

# What a user can act on: their input, their files, their rights.
USER_ERRORS = (DomainError, LookupError, PermissionError, OSError, UnicodeError)
INTERNAL = 70  # EX_SOFTWARE


class SafeGroup(TyperGroup):
    """The root command group: turns escaping exceptions into one clear line."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if _is_click_exception(exc) or os.environ.get("SCAMNET_DEBUG") == "1":
                raise
            from rich.markup import escape

            from scamnet.cli.context import err_console
            from scamnet.engine.base import EngineUnavailable

            if isinstance(exc, (*USER_ERRORS, EngineUnavailable)):  # "[spark]" is not markup
                err_console.print(f"[red]error:[/red] {escape(_one_line(exc))}")
                raise typer.Exit(1) from None
            err_console.print(
                f"[red]internal error:[/red] {type(exc).__name__} (scamnet could not finish; "
                "run again with SCAMNET_DEBUG=1 to see where, and report it)"
            )
            raise typer.Exit(INTERNAL) from None


def _is_click_exception(exc: Exception) -> bool:
    # Usage errors are click's to print, with the command's usage line.
    return type(exc).__module__.startswith(("click", "typer._click"))


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__

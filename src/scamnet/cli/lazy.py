"""The root command group, loaded lazily: ``scamnet --help`` and a light command import
only what they use, not scikit-learn, Splink or Spark that other commands need.

Each command is registered by name with the module that holds it and its one-line help
(shown in ``scamnet --help`` without importing the module; a test keeps the two equal).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperCommand

from scamnet.cli.errors import SafeGroup


@dataclass(frozen=True, slots=True)
class Lazy:
    module: str  # e.g. "scamnet.cli.alerts"
    attribute: str  # a typer.Typer (a group) or a function (a single command)
    help: str


class LazyGroup(SafeGroup):
    registry: ClassVar[dict[str, Lazy]] = {}
    _listing: ClassVar[bool] = False

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(set(self.commands) | set(self.registry))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        lazy = self.registry.get(cmd_name)
        if lazy is None:
            return None
        if self._listing:  # the root help shows names and one-line helps only
            return TyperCommand(name=cmd_name, help=lazy.help)
        self.commands[cmd_name] = load(cmd_name, lazy)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        LazyGroup._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            LazyGroup._listing = False


def load(name: str, lazy: Lazy) -> Any:
    """The click command for a registered name, importing its module now."""
    obj = getattr(importlib.import_module(lazy.module), lazy.attribute)
    if isinstance(obj, typer.Typer):  # a group stays a group, even with one subcommand
        command: Any = typer.main.get_group(obj)
    else:
        single = typer.Typer()
        single.command(name=name)(obj)
        command = typer.main.get_command(single)
    command.name = name
    return command

"""Documentation checked against the code, as datasette does: every command is documented
and has help, the architecture's package list matches the tree, and the network docs say
what really seeds the network."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from scamnet.cli.main import app
from scamnet.network import service

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subs = getattr(command, "commands", None)
    if subs:
        for name, sub in sorted(subs.items()):
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


COMMANDS = dict(_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_help_and_is_documented(path: str) -> None:
    assert (COMMANDS[path].help or "").strip(), f"`scamnet {path}` has no help text"
    assert f"scamnet {path}" in DOCS, f"`scamnet {path}` appears in no page of docs/ or README"


def test_the_architecture_lists_the_packages_that_exist() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("```text", 1)[1].split("```", 1)[0]
    listed = set(re.findall(r"^  ([a-z_]+)/", block, flags=re.MULTILINE))
    packages = {p.parent.name for p in (ROOT / "src" / "scamnet").glob("*/__init__.py")}
    assert listed == packages


def test_the_network_docs_say_what_seeds_the_network() -> None:
    text = (ROOT / "docs" / "network.md").read_text(encoding="utf-8")
    assert f"score of at least {service.ALERT_THRESHOLD}" in text
    for kind in service.SEED_KINDS:
        assert f"{kind} alert" in text
    assert "false positive" in text and "victim report" in text

"""``--json`` on every read command: each runs on the tiny demo world and prints one
JSON document that parses, with the keys docs and scripts rely on.

A command that gains ``--json`` must be added here (to ``READS``, or to ``OTHERS`` with
the reason it is not a plain read), or the first test fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scamnet.cli.main import app
from tests.cli.test_no_traceback import COMMANDS

runner = CliRunner()
pytestmark = pytest.mark.slow

Args = Callable[[Callable[..., Any]], list[str]]  # given a way to read JSON, the arguments


def _first(key: str, field: str) -> Args:
    return lambda read: [str(read(*key.split())[0][field])]


READS: dict[str, tuple[Args, tuple[str, ...]]] = {
    # command: (its arguments, keys the document has at its top or in its first item)
    "alerts list": (lambda r: [], ("total", "alerts")),
    "alerts show": (lambda r: [str(r("alerts", "list")["alerts"][0]["id"])], ("alert",)),
    "audit log": (lambda r: [], ("action", "actor", "at", "hash")),
    "audit verify": (lambda r: [], ("holds", "count", "head_hash", "checkpoints")),
    "case list": (lambda r: [], ("reference", "origin")),
    "case show": (_first("case list", "reference"), ("case",)),
    "db status": (lambda r: [], ("dialect", "revision", "newest", "current")),
    "exchange identity": (lambda r: [], ("agency", "public_key")),
    "exchange ledger": (lambda r: [], ("bundles", "digest")),
    "exchange outbox": (lambda r: ["--all"], ("bundles", "pending")),
    "handover list": (lambda r: [], ()),
    "handover show": (lambda r: [str(r("handover", "list")[0]["batch"]["batch_id"])], ()),
    "ingest rejects": (lambda r: [], ()),
    "lake check": (lambda r: [], ()),
    "model list": (lambda r: ["subscriber"], ()),
    "network list": (lambda r: [], ("group",)),
    "network show": (
        lambda r: [str(r("network", "list")[0]["group"]["id"])],
        ("group", "members"),
    ),
    "operation list": (lambda r: [], ()),
    "report bulletin": (lambda r: ["--lang", "zh"], ("lang", "title", "markdown")),
    "report stats": (lambda r: [], ()),
    "resolve match": (lambda r: ["--name", "wang"], ()),
    "resolve show": (lambda r: ["RP-000001"], ("person", "records")),
    "share list": (lambda r: [], ()),
    "transfer list": (lambda r: [], ()),
    "user list": (lambda r: [], ()),
}
OTHERS = {
    "ingest files": "a write: it prints what it stored (tests/api/test_jobs.py reads it)",
    "model evaluate": "scores a labelled file (tests/detect reads its --json)",
}


def test_every_json_command_is_run_here() -> None:
    with_json = {" ".join(path) for path, command in COMMANDS.items()
                 if any("--json" in p.opts for p in command.params)}  # fmt: skip
    assert with_json == set(READS) | set(OTHERS)


def test_every_read_command_prints_one_json_document(demo_world: Path) -> None:
    def read(*args: str) -> Any:
        result = runner.invoke(app, [*args, "--json", "--data-dir", str(demo_world)])
        assert result.exit_code == 0, (args, result.output)
        return json.loads(result.output)

    wrong: dict[str, Any] = {}
    for name, (arguments, keys) in READS.items():
        try:
            document = read(*name.split(), *arguments(read))
        except (AssertionError, ValueError, LookupError) as exc:  # every command is tried
            wrong[name] = repr(exc)[:300]
            continue
        first = document[0] if isinstance(document, list) and document else document
        if not isinstance(document, dict | list) or (keys and not isinstance(first, dict)):
            wrong[name] = document
        elif keys and not set(keys) <= set(first):
            wrong[name] = sorted(first)
    assert sorted(wrong) == [], wrong

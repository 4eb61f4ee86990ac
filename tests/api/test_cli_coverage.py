"""The OpenAPI covers what the CLI can do: every command and subcommand, walked through
click from the lazy registry of `scamnet.cli.main`, maps to an operation of the served
OpenAPI, or is excluded here with the reason it makes no sense over HTTP.

A new command without a route or an exclusion fails `test_every_command_maps_to_the_api`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.core
import typer.main

from scamnet.api.app import create_app
from scamnet.cli.main import app
from scamnet.store import Store

# command → the operation ("METHOD /path") doing the same through the same use case.
ROUTES: dict[str, str] = {
    "alerts list": "GET /v1/alerts",
    "alerts show": "GET /v1/alerts/{alert_id}",
    "alerts assign": "POST /v1/alerts/{alert_id}/assign",
    "alerts verdict": "POST /v1/alerts/{alert_id}/verdict",
    "audit log": "GET /v1/audit",
    "case open": "POST /v1/cases",
    "case add-suspect": "POST /v1/cases/{reference}/suspects",
    "case status": "POST /v1/suspects/{suspect_id}/status",
    "case warrant": "POST /v1/suspects/{suspect_id}/warrant",
    "case list": "GET /v1/cases",
    "case show": "GET /v1/cases/{reference}",
    "db status": "GET /api/health",  # the schema revision
    "version": "GET /api/health",
    "detect subscribers": "POST /v1/jobs/detect",
    "detect messages": "POST /v1/jobs/detect",
    "detect urls": "POST /v1/jobs/detect",
    "detect accounts": "POST /v1/jobs/detect",
    "exchange identity": "GET /api/exchange/identity",
    "exchange receive": "POST /api/exchange/bundles",
    "exchange ledger": "GET /api/exchange/ledger",
    "exchange register": "POST /v1/exchange/partners",
    "exchange send-request": "POST /v1/exchange/send-request",  # delivery: a job
    "exchange send-status": "POST /v1/exchange/send-status",
    "exchange send-manifest": "POST /v1/exchange/send-manifest",
    "exchange send-wanted": "POST /v1/exchange/send-wanted",
    "exchange outbox": "GET /v1/exchange/outbox",
    "exchange resend": "POST /v1/exchange/outbox/resend",  # a job
    "export ftm": "POST /v1/jobs/export",  # each format is the body's "format"
    "export stix": "POST /v1/jobs/export",
    "export misp": "POST /v1/jobs/export",
    "export graphml": "POST /v1/jobs/export",
    "export gexf": "POST /v1/jobs/export",
    "export cytoscape": "POST /v1/jobs/export",
    "export i2": "POST /v1/jobs/export",
    "export geojson": "POST /v1/jobs/export",
    "export groups": "POST /v1/jobs/export",
    "features subscribers": "POST /v1/jobs/features",
    "handover import": "POST /v1/handovers",
    "handover custody": "POST /v1/handovers/{batch}/custody",
    "handover list": "GET /v1/handovers",
    "handover show": "GET /v1/handovers/{batch}",
    "import ftm": "POST /v1/jobs/import-ftm",
    "import stix": "POST /v1/jobs/import-stix",
    "ingest files": "POST /v1/jobs/ingest",
    "ingest rejects": "GET /v1/rejects",
    "lake check": "POST /v1/jobs/lake-check",
    "lake export": "POST /v1/jobs/lake-export",
    "model train": "POST /v1/jobs/model-train",
    "model list": "GET /v1/models",
    "model score": "POST /v1/jobs/model-score",
    "model evaluate": "POST /v1/jobs/model-evaluate",
    "network groups": "POST /v1/jobs/network",
    "network list": "GET /v1/groups",
    "network show": "GET /v1/groups/{group_id}",
    "network export": "GET /v1/groups/{group_id}/export",
    "operation create": "POST /v1/operations",
    "operation target": "POST /v1/operations/{name}/targets",
    "operation outcome": "POST /v1/operations/{name}/outcomes",
    "operation list": "GET /v1/operations",
    "report stats": "GET /v1/stats",
    "report bulletin": "GET /v1/bulletins/{lang}",
    "report approve": "POST /v1/bulletins/approvals",
    "report press": "POST /v1/jobs/report-press",
    "resolve persons": "POST /v1/jobs/resolve",
    "resolve judge": "POST /v1/persons/judgements",
    "resolve match": "POST /v1/persons/search",
    "resolve show": "GET /v1/persons/{person}",
    "resolve export": "POST /v1/jobs/resolve-export",
    "share grant": "POST /v1/shares",
    "share list": "GET /v1/shares",
    "share revoke": "DELETE /v1/shares/{share_id}",
    "stream publish": "POST /v1/records/{kind}",  # over HTTP a producer pushes directly
    "stream watch": "POST /v1/jobs/stream-watch",
    "transfer request": "POST /v1/transfers",
    "transfer status": "POST /v1/transfers/{reference}/status",
    "transfer list": "GET /v1/transfers",
    "user add": "POST /v1/users",
    "user list": "GET /v1/users",
    "user disable": "POST /v1/users/{username}/disable",
    "user enable": "POST /v1/users/{username}/enable",
    "user passwd": "PUT /v1/users/{username}/password",
    "user roles": "PUT /v1/users/{username}/roles",
    "user token": "POST /v1/tokens",
    "user revoke": "POST /v1/tokens/revoke",
}

# Commands that make no sense over HTTP, each with the reason.
EXCLUDED: dict[str, str] = {
    "serve": "it starts the HTTP server itself",
    "demo": "it builds a whole demo data directory and serves it: an operator's command",
    "simulate": "it writes a synthetic world to a directory of the operator's choice",
    "db upgrade": "migrating the schema happens before the server can start",
    "stream worker": "a long-lived process the operator runs beside the server",
    "exchange init": "it creates the instance's signing identity, before any exchange",
    "audit checkpoint": "it signs the chain's head with the instance key and writes it "
    "outside the database, where the server's own users cannot rewrite it",
    "audit verify": "the chain is verified against checkpoints kept outside the server; "
    "a server vouching for its own log proves nothing",
}

# Capabilities the API does not have yet: known gaps, listed so that they stay visible
# (and named in docs/jobs.md). None is left; a new one should become a route or a job.
NOT_YET: dict[str, str] = {}


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    if hasattr(command, "list_commands"):  # a group, maybe lazy: ask it, as the CLI does
        ctx = typer.core._click.Context(command)
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))
    else:
        yield " ".join(path)


COMMANDS = sorted(_commands(typer.main.get_command(app)))


def _operations() -> set[str]:
    spec = create_app(Store("sqlite://")).openapi()
    return {f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops}


def test_every_command_maps_to_the_api() -> None:
    unmapped = [c for c in COMMANDS if c not in ROUTES and c not in EXCLUDED
                and c not in NOT_YET]  # fmt: skip
    assert unmapped == [], "add a route (or a job kind) for these commands, or exclude them"


def test_each_mapped_operation_exists() -> None:
    operations = _operations()
    missing = {c: op for c, op in ROUTES.items() if op not in operations}
    assert missing == {}


def test_the_lists_name_only_commands_that_exist() -> None:
    known = set(COMMANDS)
    for listed in (ROUTES, EXCLUDED, NOT_YET):
        assert set(listed) <= known
    assert not set(ROUTES) & set(EXCLUDED) and not set(ROUTES) & set(NOT_YET)
    assert not set(EXCLUDED) & set(NOT_YET)


def test_a_not_yet_command_that_gained_a_route_leaves_the_list() -> None:
    """A gap closed is moved to ROUTES: the list of gaps never overstates them."""
    operations = _operations()
    for command in NOT_YET:
        group, _, sub = command.partition(" ")
        assert f"POST /v1/jobs/{group}-{sub}" not in operations, command

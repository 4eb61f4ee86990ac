"""The layers' rules, checked on the source: dependencies point one way, and the
interfaces (cli/, api/, web/, bench/) hold no SQL, no table access and no audit writes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "scamnet"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def _modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def _offenders(
    paths: list[Path], banned: tuple[str, ...], allowed: tuple[str, ...] = ()
) -> list[str]:
    return [
        f"{p.relative_to(ROOT)} imports {m}"
        for p in paths
        for m in sorted(_imports(p))
        if any(m == b or m.startswith(b + ".") for b in banned) and m not in allowed
    ]


def test_core_imports_nothing_of_scamnet_but_core() -> None:
    bad = [
        f"{p.relative_to(ROOT)} imports {m}"
        for p in _modules("core")
        for m in _imports(p)
        if m.startswith("scamnet.") and not m.startswith("scamnet.core")
    ]
    assert bad == []


def test_the_store_does_not_reach_back_into_the_capabilities() -> None:
    banned = ("scamnet.resolve", "scamnet.cases", "scamnet.network", "scamnet.detect",
              "scamnet.exchange", "scamnet.report", "scamnet.cli", "scamnet.api",
              "scamnet.security", "scamnet.citizens")  # fmt: skip
    assert _offenders(_modules("store"), banned) == []


def test_casework_reaches_storage_only_through_its_ports() -> None:
    banned = ("scamnet.store", "sqlalchemy", "scamnet.cli", "scamnet.api")
    assert _offenders(_modules("cases"), banned) == []


@pytest.mark.parametrize("layer", ["cli", "api", "web", "bench"])
def test_interfaces_hold_no_sql_no_tables_and_no_audit_writes(layer: str) -> None:
    paths = sorted((ROOT / layer).rglob("*.py")) if layer == "bench" else _modules(layer)
    banned = ("sqlalchemy", "scamnet.store.models", "scamnet.store.tables",
              "scamnet.store.audit")  # fmt: skip
    # The session is the unit of work the interfaces open and hand on: its type may appear.
    assert _offenders(paths, banned, allowed=("sqlalchemy.orm",)) == []
    appends = [
        f"{p.relative_to(ROOT)}" for p in paths if "AuditLog(" in p.read_text(encoding="utf-8")
    ]
    assert appends == []

"""The simulator runs where POSIX's ``resource`` module does not exist (Windows), and
no module imports a POSIX-only one when it loads."""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def test_the_simulator_imports_and_measures_without_resource(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A None entry in sys.modules makes `import resource` raise ImportError, as on Windows.
    monkeypatch.setitem(sys.modules, "resource", None)
    monkeypatch.delitem(sys.modules, "scamnet.simulate.run", raising=False)
    run = importlib.import_module("scamnet.simulate.run")
    assert run.peak_rss_mib() == 0.0


def test_the_peak_memory_is_measured_where_resource_exists() -> None:
    pytest.importorskip("resource")
    from scamnet.simulate.run import peak_rss_mib

    assert peak_rss_mib() > 0


POSIX_ONLY = {"fcntl", "resource", "pwd", "grp", "termios", "tty", "pty", "posix"}
SRC = Path(__file__).resolve().parents[2] / "src" / "scamnet"


def _module_level_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Imports that run when the module loads: top level, or in a ``try`` there (an
    ``if`` is taken for a platform check, as ``lake/lock.py`` does)."""
    for node in tree.body:
        bodies = [node] if not isinstance(node, ast.Try) else [*node.body, *node.finalbody]
        for stmt in bodies:
            if isinstance(stmt, ast.Import):
                yield from ((stmt.lineno, a.name.split(".")[0]) for a in stmt.names)
            elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
                yield stmt.lineno, stmt.module.split(".")[0]


def test_no_module_imports_a_posix_only_module_when_it_loads() -> None:
    """The demo and the CLI run on Windows: a POSIX-only module is imported inside the
    function that needs it, or behind a platform check."""
    found = [f"{path.relative_to(SRC)}:{line} imports {name}"
             for path in sorted(SRC.rglob("*.py"))
             for line, name in _module_level_imports(ast.parse(path.read_text("utf-8")))
             if name in POSIX_ONLY]  # fmt: skip
    assert found == []

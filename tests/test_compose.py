"""compose.yaml and the Dockerfile, checked against the code they run.

No Docker daemon runs on the project's machines (docs/scale.md), so the setup is
not started here. What can drift without anyone noticing is checked instead: the
scamnet commands the files run, the variables they set, the Spark classes and
launcher they call, and the extras they install.
"""

from __future__ import annotations

import re
import shlex
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import typer.core
import typer.main
import yaml

from scamnet.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
SCAMNET_SERVICES = ["migrate", "api", "jobs", "spark-master", "spark-worker"]


def _documented_commands() -> list[list[str]]:
    """`scamnet …` lines of compose.yaml's header and of docs/scale.md's compose block."""
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    text += (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    found = re.findall(r"docker compose run --rm jobs (scamnet [^\n]+)", text)
    return [shlex.split(line)[1:] for line in found]


def _service_commands() -> list[list[str]]:
    return [
        COMPOSE["services"][name]["command"][1:]
        for name in SCAMNET_SERVICES
        if COMPOSE["services"][name]["command"][0] == "scamnet"
    ]


def _parse(args: list[str]) -> Any:
    """Parse ``args`` as the CLI would, without running the command."""
    click = typer.core._click  # the click Typer runs on (as tests/test_docs.py walks it)
    command: Any = typer.main.get_command(app)
    ctx = click.Context(command, info_name="scamnet")
    while hasattr(command, "resolve_command"):  # a group, maybe lazy: ask it, as the CLI does
        name, command, args = command.resolve_command(ctx, args)
        ctx = click.Context(command, info_name=name, parent=ctx)
    return command.make_context(ctx.info_name, list(args), parent=ctx.parent)


@pytest.mark.parametrize("args", _service_commands() + _documented_commands(), ids=" ".join)
def test_every_scamnet_command_exists_with_the_options_given(args: list[str]) -> None:
    if args == ["--help"]:
        return
    _parse(args)  # an unknown command or option raises a click UsageError


def test_the_services_share_one_image_one_volume_and_the_settings() -> None:
    services = COMPOSE["services"]
    assert {"postgres", *SCAMNET_SERVICES} <= set(services)
    for name in SCAMNET_SERVICES:
        service = services[name]
        assert service["image"] == "scamnet:local" and service["build"] == "."
        assert "data:/data" in service["volumes"]
    env = services["api"]["environment"]
    assert env["SCAMNET_ENGINE"] == "spark"
    assert env["SCAMNET_SPARK_MASTER"] == "spark://spark-master:7077"
    assert "@postgres:5432/" in env["SCAMNET_DATABASE_URL"]
    # The API starts only after the one-shot migration succeeded: it never migrates.
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_every_variable_set_is_one_the_code_reads() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    for name in COMPOSE["services"]["api"]["environment"]:
        if name.startswith("SCAMNET_"):
            assert f'"{name}"' in source, f"{name} is set by compose.yaml but read nowhere"


def test_the_spark_daemons_ship_with_pyspark() -> None:
    pyspark = pytest.importorskip("pyspark")
    home = Path(pyspark.__file__).parent
    assert (home / "bin" / "spark-class").exists()
    (core,) = home.glob("jars/spark-core_*.jar")
    classes = set(zipfile.ZipFile(core).namelist())
    for name in ("master", "worker"):
        command = COMPOSE["services"][f"spark-{name}"]["command"]
        assert command[0] == "spark-class"
        assert command[1].replace(".", "/") + ".class" in classes


def test_the_dockerfile_installs_what_compose_needs() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    installed = re.search(r'pip install --no-cache-dir "\.\[([a-z,]+)\]"', DOCKERFILE)
    assert installed is not None
    assert set(installed.group(1).split(",")) == {"postgres", "spark"} <= set(extras)
    python = re.search(r"^FROM python:(\d+\.\d+)", DOCKERFILE, re.MULTILINE)
    assert python is not None  # SPARK_HOME is PySpark in that Python's site-packages
    assert f"/usr/local/lib/python{python.group(1)}/site-packages/pyspark" in DOCKERFILE
    assert "openjdk-17-jre-headless" in DOCKERFILE

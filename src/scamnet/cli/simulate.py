"""``scamnet simulate``: write a synthetic fraud world with its ground truth."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from scamnet.cli.context import console, fail
from scamnet.cli.output import Table
from scamnet.simulate import PRESETS, SimulationSummary, simulate


class Preset(StrEnum):
    tiny = "tiny"
    demo = "demo"
    hard = "hard"
    bench = "bench"


def print_summary(summary: SimulationSummary) -> None:
    table = Table(title=f"world written to {summary.out_dir}", show_header=False)
    for name, count in summary.counts.items():
        table.add_row(name, f"{count:,}")
    table.add_row("messy rows (listed in truth/messy.csv)", f"{summary.messy_rows:,}")
    table.add_row("time", f"{summary.seconds:.1f} s")
    table.add_row("peak RSS", f"{summary.peak_rss_mib:,.0f} MiB")
    console.print(table)


def run(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the world into.")],
    preset: Annotated[Preset, typer.Option(help="Size of the world.")] = Preset.demo,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (the world is a function of it).")
    ] = None,
    subscribers: Annotated[int | None, typer.Option(help="Normal subscribers.")] = None,
    days: Annotated[int | None, typer.Option(help="Days observed.")] = None,
    groups: Annotated[int | None, typer.Option(help="Criminal groups.")] = None,
    messages: Annotated[int | None, typer.Option(help="Messages to write.")] = None,
    messy_rate: Annotated[float | None, typer.Option(help="Share of rows corrupted.")] = None,
    call_format: Annotated[
        str | None, typer.Option("--format", help="csv or parquet calls.")
    ] = None,
) -> None:
    """Simulate a fraud world (calls, messages, money, reports, manifests) with ground truth."""
    try:
        config = PRESETS[preset.value].with_overrides(
            seed=seed, subscribers=subscribers, days=days, groups=groups, messages=messages,
            messy_rate=messy_rate, call_format=call_format,
        )  # fmt: skip
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    if out.exists() and not out.is_dir():
        raise fail(f"{out} exists and is not a directory", 2)
    summary = simulate(config, out, progress=console.is_terminal)
    print_summary(summary)

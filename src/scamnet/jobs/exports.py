"""The export jobs: ``scamnet export …``, ``scamnet lake export`` and ``scamnet resolve
export`` over HTTP. Each writes its files in the job's output directory (under the data
directory's scratch space, never a path a client chose); the result names them, and
`scamnet.jobs.service.output_file` hands one over (an audited download).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from scamnet.core.handling import HandlingCode
from scamnet.jobs.kinds import JobContext, Params
from scamnet.jobs.results import plain

Handling = Annotated[
    Literal["H0", "H1", "H2", "H3"],
    Field(description="The most restricted handling code exported; records above it are left out."),
]
GroupId = Annotated[int, Field(ge=1, le=2**62)]
CHARTS = ("graphml", "gexf", "cytoscape", "i2")
SUFFIX = {"ftm": "ftm.jsonl", "stix": "stix.json", "misp": "misp.json", "graphml": "graphml",
          "gexf": "gexf", "cytoscape": "cyjs", "geojson": "geojson"}  # fmt: skip


class ExportParams(Params):
    """``scamnet export FORMAT``: ``group`` for the charts (graphml, gexf, cytoscape, i2)
    and, optionally, geojson; ``groups`` for ftm; ``list_format`` for groups."""

    format: Literal["ftm", "stix", "misp", "graphml", "gexf", "cytoscape", "i2", "geojson",
                    "groups"]  # fmt: skip
    group: GroupId | None = None
    groups: Annotated[list[GroupId] | None, Field(max_length=1000)] = None
    list_format: Literal["json", "csv"] = "json"
    handling: Handling = "H1"

    @model_validator(mode="after")
    def _grouped(self) -> ExportParams:
        if self.format in CHARTS and self.group is None:
            raise ValueError(f"a {self.format} chart is of one group: give group")
        return self


class LakeExportParams(Params):
    """``scamnet lake export --kind --from --to --format``."""

    kind: Literal["calls", "transfers"]
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    format: Literal["csv", "parquet"] = "csv"
    handling: Handling = "H1"
    model_config = Params.model_config | {"populate_by_name": True}


class ResolveExportParams(Params):
    """``scamnet resolve export --format``."""

    format: Literal["json", "csv"] = "csv"
    handling: Handling = "H1"


def _files(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if p.is_file())


def _with_files(ctx: JobContext, done: Any) -> dict[str, Any]:
    result = plain(done)
    result = result if isinstance(result, dict) else {"done": result}
    result.pop("paths", None)  # server paths: the files are named below
    return {**result, "files": _files(ctx.output)}


def run_export(ctx: JobContext, p: ExportParams) -> Any:
    """The use case `scamnet export FORMAT` calls, writing into the job's output."""
    ceiling = HandlingCode(p.handling)
    out = ctx.output / f"export.{SUFFIX.get(p.format, p.list_format)}"
    with ctx.store.session() as session:
        if p.format == "ftm":
            from scamnet.interop import service

            done: Any = service.export_ftm(session, ctx.settings, ctx.actor, out, p.groups,
                                           ceiling)  # fmt: skip
        elif p.format in ("stix", "misp"):
            from scamnet.interop import service

            run = service.export_stix if p.format == "stix" else service.export_misp
            done = run(session, ctx.actor, out, ceiling)
        elif p.format in CHARTS:
            from scamnet.network.export_group import ExportFormat, export_group

            assert p.group is not None
            target = ctx.output if p.format == "i2" else out  # i2 writes a directory
            done = export_group(session, ctx.settings, ctx.actor, p.group,
                                ExportFormat(p.format), target, ceiling)  # fmt: skip
        elif p.format == "geojson":
            from scamnet.network.export_group import export_map

            done = export_map(session, ctx.settings, ctx.actor, out, p.group, ceiling)
        else:
            from scamnet.interop.listing import export_groups
            from scamnet.interop.lists import ListFormat

            done = export_groups(session, ctx.actor, out, ListFormat(p.list_format), ceiling)
    return _with_files(ctx, done)


def run_lake_export(ctx: JobContext, p: LakeExportParams) -> Any:
    """The use case `scamnet lake export` calls."""
    from scamnet.interop.listing import ExportedKind, RecordFormat, export_records

    out = ctx.output / f"{p.kind}.{p.format}"
    with ctx.store.session() as session:
        done = export_records(session, ctx.settings, ctx.actor, ExportedKind(p.kind), p.start,
                              p.end, RecordFormat(p.format), out,
                              HandlingCode(p.handling))  # fmt: skip
    return _with_files(ctx, done)


def run_resolve_export(ctx: JobContext, p: ResolveExportParams) -> Any:
    """The use case `scamnet resolve export` calls."""
    from scamnet.interop.listing import export_clusters
    from scamnet.interop.lists import ListFormat

    out = ctx.output / f"persons.{p.format}"
    with ctx.store.session() as session:
        done = export_clusters(session, ctx.actor, out, ListFormat(p.format),
                               HandlingCode(p.handling))  # fmt: skip
    return _with_files(ctx, done)

"""The kinds of job: for each, its parameters, the permission it needs, and the use
case it runs (the same one the CLI command calls, named in each docstring).

A runner gets a `JobContext` and the validated parameters, and returns the JSON
result: the shape the CLI's ``--json`` prints where the command has one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scamnet.core.access import Actor, Permission
from scamnet.core.errors import DomainError, NotAllowed
from scamnet.ingest.kinds import KINDS as INGEST_KINDS
from scamnet.jobs.results import plain
from scamnet.settings import Settings
from scamnet.store import Store

Name = Annotated[str, Field(max_length=200)]
RecordsKind = StrEnum("RecordsKind", {k: k for k in INGEST_KINDS})  # type: ignore[misc]


class JobFailed(DomainError):
    """The use case ran but its work failed (a file that cannot be read)."""


@dataclass(frozen=True)
class JobContext:
    """What a running job works with."""

    settings: Settings
    store: Store
    actor: Actor
    upload: Path | None  # the spooled upload of an ingest or a training, if any
    progress: Callable[[float], None]
    output: Path  # where an export writes its files (created for it)


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IngestParams(Params):
    """``scamnet ingest KIND FILE``: the file is the request body."""

    records: RecordsKind = Field(
        description="What the uploaded file holds (the KIND of `scamnet ingest`).")  # fmt: skip
    filename: Name = Field("upload.csv", description="The file's name: its extension says "
                           "the format (.csv, .parquet, .jsonl); rejects name it.")  # fmt: skip


class Window(Params):
    start: date = Field(alias="from", description="First day of the window.")
    end: date = Field(alias="to", description="Last day of the window (included).")
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        if (self.end - self.start).days > 3660:
            raise ValueError("a window of at most ten years")
        return self


class FeaturesParams(Window):
    """``scamnet features subscribers --from --to``."""

    callback_days: Annotated[int, Field(ge=0, le=60)] = 3
    lookback_days: Annotated[int, Field(ge=0, le=365)] = 7


class DetectParams(Window):
    """``scamnet detect {subscribers,messages,urls,accounts} --from --to`` (the kind's
    champion model)."""

    kind: Literal["subscriber", "message", "url", "account"]
    top: Annotated[int, Field(ge=0, le=500)] = 10


class NoParams(Params):
    """``scamnet network groups`` and ``scamnet resolve persons`` take nothing."""


class TrainParams(Params):
    """``scamnet model train KIND --input FILE`` (into the registry): the file is the
    request body."""

    kind: Literal["subscriber", "message", "url", "account"]
    label_column: Name | None = None
    from_verdicts: bool = False
    normal_class: Name | None = None
    filename: Name = "train.csv"

    @model_validator(mode="after")
    def _labelled(self) -> TrainParams:
        if self.label_column is None and not self.from_verdicts:
            raise ValueError("training needs label_column, from_verdicts, or both")
        return self


class EvaluateParams(Params):
    """``scamnet model evaluate KIND --input FILE --label-column C``: the file is the body."""

    kind: Literal["subscriber", "message", "url", "account"]
    label_column: Name
    folds: Annotated[int, Field(ge=2, le=20)] = 5
    normal_class: Name | None = None
    filename: Name = "rows.csv"


class ScoreParams(Params):
    """``scamnet model score KIND --input FILE`` with the kind's champion: the file is the
    body; the predictions come back in the result instead of a CSV file."""

    kind: Literal["subscriber", "message", "url", "account"]
    filename: Name = "rows.csv"


class WatchParams(Params):
    """``scamnet stream watch FILE --source S``: the watch list is the body."""

    source: Annotated[str, Field(min_length=1, max_length=64)]
    filename: Name = "watch.csv"


class PressParams(Params):
    """``scamnet report press FILE``: the published figures are the body."""

    filename: Name = "press.csv"


class ImportParams(Params):
    """``scamnet import ftm|stix FILE [--source S]``: the file is the body."""

    source: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    filename: Name = "import.json"


class LakeCheckParams(Params):
    """``scamnet lake check [--repair]``."""

    repair: bool = False


def _ingest(ctx: JobContext, p: IngestParams) -> Any:
    from scamnet.ingest.mapping import Mapping
    from scamnet.ingest.usecase import ingest, summary_json

    assert ctx.upload is not None
    done = 0

    def on_file(_result: Any) -> None:
        nonlocal done
        done += 1
        ctx.progress(done / 1)

    summary = ingest(ctx.settings, ctx.store, ctx.actor, str(p.records), [ctx.upload], Mapping(),
                     on_file)  # fmt: skip
    result = summary_json(summary)
    for file in result["files"]:  # the spooled name, not the server's path
        file["file"] = p.filename
    if summary.failed:  # said of the file the client sent, not of the spooled copy
        error = str(summary.failed[0].error).replace(str(ctx.upload), p.filename)
        raise JobFailed(error if p.filename in error else f"{p.filename}: {error}")
    return result


def _features(ctx: JobContext, p: FeaturesParams) -> Any:
    from scamnet.detect.usecase import build_subscriber_features

    built = build_subscriber_features(ctx.settings, ctx.store, p.start, p.end, p.callback_days,
                                      p.lookback_days)  # fmt: skip
    return {"from": built.first.isoformat(), "to": built.last.isoformat(),
            "subscribers": built.rows, "features": list(built.features),
            "days_computed": [d.isoformat() for d in built.computed],
            "written_to": str(built.target.relative_to(ctx.settings.data_dir))}  # fmt: skip


def _detect(ctx: JobContext, p: DetectParams) -> Any:
    from scamnet.detect.usecase import detect

    run = detect(ctx.settings, ctx.store, ctx.actor.user, p.kind, p.start, p.end, None, p.top)
    return {"kind": run.kind, "window": f"{p.start}/{p.end}", "stored": run.stored,
            "new": run.new, "top": plain(run.shown)}  # fmt: skip


def _network(ctx: JobContext, _p: NoParams) -> Any:
    from scamnet.network.service import run_groups

    with ctx.store.session() as session:
        result, ids = run_groups(session, ctx.settings, ctx.actor)
    sub = result.subgraph
    return {"nodes": len(sub.nodes), "ties": len(sub.edges[0]), "groups": ids,
            "unattached": result.unattached}  # fmt: skip


def _resolve(ctx: JobContext, _p: NoParams) -> Any:
    from scamnet.resolve.service import resolve_persons

    with ctx.store.session() as session:
        summary = resolve_persons(session, ctx.settings, ctx.actor)
    sizes = Counter(summary.result.clusters.values())
    return {"records": len(summary.records), "persons": len(sizes),
            "persons_with_several_records": sum(1 for s in sizes.values() if s > 1),
            "changes": dict(summary.result.changes), "judgements": summary.judgements,
            "sources": dict(summary.sources().most_common())}  # fmt: skip


def _train(ctx: JobContext, p: TrainParams) -> Any:
    from scamnet.detect.training import train_model

    assert ctx.upload is not None
    verdicts = None
    if p.from_verdicts:
        from scamnet.detect.triage import analyst_labels

        if not ctx.actor.may(Permission.ALERTS_READ):  # verdicts are analysts' work
            raise NotAllowed("training on verdicts needs alerts.read")
        with ctx.store.session() as session:
            verdicts = analyst_labels(session, p.kind)
    done = train_model(ctx.settings, p.kind, ctx.upload, p.label_column, verdicts,
                       p.normal_class)  # fmt: skip
    out = done.as_json()
    out["path"] = str(done.path.relative_to(ctx.settings.data_dir))
    return out


def _lake_check(ctx: JobContext, p: LakeCheckParams) -> Any:
    from scamnet.lake import RecordLake
    from scamnet.lake.check import check_all

    return plain(check_all(RecordLake(ctx.settings.lake_dir), ctx.settings.tmp_dir, p.repair))


def _evaluate(ctx: JobContext, p: EvaluateParams) -> Any:
    from scamnet.detect.training import evaluate_file

    assert ctx.upload is not None
    return plain(evaluate_file(p.kind, ctx.upload, p.label_column, p.folds, p.normal_class))


def _score(ctx: JobContext, p: ScoreParams) -> Any:
    from scamnet.detect.training import score_file
    from scamnet.detect.usecase import trained_model

    assert ctx.upload is not None
    scored = score_file(trained_model(ctx.settings, None, p.kind), p.kind, ctx.upload)
    columns = {k: [v.item() if hasattr(v, "item") else v for v in vs]
               for k, vs in scored.columns.items()}  # fmt: skip
    return {"rows": scored.rows, "flagged": scored.flagged, "predictions": plain(columns)}


def _watch(ctx: JobContext, p: WatchParams) -> Any:
    from scamnet.stream.service import add_watch_list

    assert ctx.upload is not None
    added, known = add_watch_list(ctx.store, ctx.actor, ctx.upload, p.source)
    return {"added": added, "already_listed": known}


def _press(ctx: JobContext, _p: PressParams) -> Any:
    from scamnet.report.press import load_press, read_press
    from scamnet.store.uow import SqlUnitOfWork

    assert ctx.upload is not None
    batches = read_press(ctx.upload)
    with ctx.store.session() as session:
        written = load_press(SqlUnitOfWork(session), ctx.actor, batches)
    return {"batches": len(batches), "entries": written}


def _import_ftm(ctx: JobContext, p: ImportParams) -> Any:
    from scamnet.interop import service

    assert ctx.upload is not None
    source = p.source or f"ftm:{ctx.upload.stem}"[:64]  # as the CLI names it
    with ctx.store.session() as session:
        return plain(service.import_ftm(session, ctx.actor, ctx.upload, source))


def _import_stix(ctx: JobContext, p: ImportParams) -> Any:
    from scamnet.interop import service

    assert ctx.upload is not None
    with ctx.store.session() as session:
        return plain(service.import_stix(session, ctx.actor, ctx.upload, p.source))


@dataclass(frozen=True)
class Kind:
    name: str
    permission: Permission
    params: type[Params]
    run: Callable[[JobContext, Any], Any]
    upload: bool = False  # the request body is a file
    files: bool = False  # the result names files written in the job's output


from scamnet.jobs import exchange, exports  # noqa: E402  (they build on JobContext and Params)

P = Permission
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("ingest", P.DATA_INGEST, IngestParams, _ingest, upload=True),
    Kind("features", P.DATA_PROCESS, FeaturesParams, _features),
    Kind("detect", P.DATA_PROCESS, DetectParams, _detect),
    Kind("network", P.GROUPS_READ, NoParams, _network),
    Kind("resolve", P.PERSONS_JUDGE, NoParams, _resolve),
    Kind("model-train", P.DATA_PROCESS, TrainParams, _train, upload=True),
    Kind("lake-check", P.DATA_INGEST, LakeCheckParams, _lake_check),
    Kind("model-evaluate", P.DATA_PROCESS, EvaluateParams, _evaluate, upload=True),
    Kind("model-score", P.DATA_PROCESS, ScoreParams, _score, upload=True),
    Kind("stream-watch", P.DATA_INGEST, WatchParams, _watch, upload=True),
    Kind("report-press", P.HANDOVERS_WRITE, PressParams, _press, upload=True),
    Kind("import-ftm", P.DATA_INGEST, ImportParams, _import_ftm, upload=True),
    Kind("import-stix", P.DATA_INGEST, ImportParams, _import_stix, upload=True),
    Kind("export", P.GROUPS_EXPORT, exports.ExportParams, exports.run_export, files=True),
    Kind("lake-export", P.GROUPS_EXPORT, exports.LakeExportParams, exports.run_lake_export,
         files=True),
    Kind("resolve-export", P.GROUPS_EXPORT, exports.ResolveExportParams,
         exports.run_resolve_export, files=True),
    Kind("exchange-deliver", P.HANDOVERS_WRITE, exchange.DeliverParams, exchange.run_deliver),
    Kind("exchange-resend", P.TRANSFERS_WRITE, exchange.ResendParams, exchange.run_resend),
)}  # fmt: skip

"""Persons (search in any script, resolution records, judgements) and groups."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep, SettingsDep
from scamnet.api.paging import Limit, Offset, Sort, as_json, page
from scamnet.core.access import Actor, Permission
from scamnet.network.service import ExportFormat

router = APIRouter(prefix="/v1", tags=["persons and groups"])
P = Permission
PersonReader = Annotated[Actor, Depends(require(P.PERSONS_READ, personal=True))]
Judge = Annotated[Actor, Depends(require(P.PERSONS_JUDGE))]
GroupLister = Annotated[Actor, Depends(require(P.GROUPS_READ))]
GroupReader = Annotated[Actor, Depends(require(P.GROUPS_READ, personal=True))]
Exporter = Annotated[Actor, Depends(require(P.GROUPS_EXPORT, personal=True))]
GroupId = Annotated[int, PathParam(ge=1, le=2**62)]
PersonId = Annotated[str, PathParam(min_length=1, max_length=64)]

_MEDIA = {
    ExportFormat.graphml: "application/graphml+xml",
    ExportFormat.cytoscape: "application/json",
}


class PersonQuery(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    born: date | None = None
    phone: Annotated[str | None, Field(max_length=64)] = None
    document: Annotated[str | None, Field(max_length=64)] = None
    limit: Annotated[int, Field(ge=1, le=50)] = 5


class Judgement(BaseModel):
    a: Annotated[str, Field(min_length=1, max_length=64)]
    b: Annotated[str, Field(min_length=1, max_length=64)]
    same: bool
    note: Annotated[str, Field(max_length=2000)] = ""


@router.post("/persons/search")
def search_persons(
    body: PersonQuery, actor: PersonReader, session: SessionDep, settings: SettingsDep
) -> list[Any]:
    """Query by example: a name in any script (汉字, pinyin, Latin), with what else is known."""
    from scamnet.resolve.service import search

    found = search(session, settings, actor, body.name, body.born, body.phone, body.document,
                   body.limit)  # fmt: skip
    return as_json(found)  # type: ignore[no-any-return]


@router.get("/persons/{person}")
def read_person(person: PersonId, actor: PersonReader, session: SessionDep) -> dict[str, Any]:
    """The records resolved into one person (an audited read)."""
    from scamnet.resolve.service import read_person as run

    return {"person": person, "records": as_json(run(session, actor, person))}


@router.post("/persons/judgements", status_code=201)
def judge(body: Judgement, actor: Judge, session: SessionDep) -> dict[str, str]:
    """An analyst's judgement: two records are (not) the same person."""
    from scamnet.resolve.service import judge as run

    run(session, actor, body.a, body.b, body.same, body.note)
    return {"status": "recorded"}


@router.get("/groups")
def list_groups(
    actor: GroupLister,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Sort = None,
) -> dict[str, Any]:
    """The groups with their suspected ringleaders."""
    from scamnet.network.service import list_groups as run

    return page(run(session, actor), limit, offset, sort, ())


@router.get("/groups/{group_id}")
def read_group(group_id: GroupId, actor: GroupReader, session: SessionDep) -> Any:
    """A group's members with roles, confidence, sites and evidence (an audited read)."""
    from scamnet.network.service import read_group as run

    return as_json(run(session, actor, group_id))


@router.get("/groups/{group_id}/export")
def export_group(
    group_id: GroupId,
    actor: Exporter,
    session: SessionDep,
    settings: SettingsDep,
    format: ExportFormat = ExportFormat.graphml,
) -> Response:
    """The group's subgraph as GraphML or Cytoscape JSON (an audited export)."""
    from scamnet.network.service import export_group as run

    with tempfile.TemporaryDirectory(
        dir=settings.tmp_dir if settings.tmp_dir.is_dir() else None
    ) as tmp:
        out = Path(tmp) / f"group-{group_id}.{format.value}"
        run(session, settings, actor, group_id, format, out)
        body = out.read_bytes()
    disposition = f'attachment; filename="{out.name}"'
    return Response(body, media_type=_MEDIA[format], headers={"Content-Disposition": disposition})

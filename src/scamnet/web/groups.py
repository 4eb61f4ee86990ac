"""Groups: the list, a group's network (Cytoscape.js) and compounds (Leaflet over the
bundled Natural Earth boundaries), and opening a case from a group."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from scamnet.api.deps import SessionDep, StoreDep
from scamnet.cases import suspects as cases
from scamnet.core.cases import CaseOrigin
from scamnet.core.membership import MIN_CONFIDENCE
from scamnet.network import graph as network_graph
from scamnet.network import service as network
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.uow import SqlUnitOfWork
from scamnet.web.guard import CasesWrite, GroupsRead
from scamnet.web.i18n import gettext, pick_lang
from scamnet.web.purpose import GroupsWhy
from scamnet.web.render import page
from scamnet.web.route import WebRoute
from scamnet.web.texts import KIND_NAMES, ROLE_NAMES
from scamnet.web.wording import translate

router = APIRouter(route_class=WebRoute)
RINGLEADERS = ("mastermind", "organiser", "key_member")
MEMBERS_PAGE = 200


def settings_of(request: Request, store: Store) -> Settings:
    """The instance's settings, pointed at the store the app serves."""
    return replace(Settings.from_env(request.app.state.data_dir), database_url=store.url)


@router.get("/groups")
def groups(request: Request, session: SessionDep, actor: GroupsRead) -> Response:
    return page(request, "groups.html", actor, groups=network.list_groups(session, actor))


@router.get("/groups/{group_id}")
def group(request: Request, session: SessionDep, actor: GroupsWhy, group_id: int) -> Response:
    file = network.read_group(session, actor, group_id)
    lang = pick_lang(request)  # the map's labels, like the page's, in the reader's language
    sites = [
        {"name": translate(s.name, lang), "lat": s.latitude, "lon": s.longitude,
         "radius_km": s.radius_km, "country": s.country, "region": s.region}
        for s in file.group.sites
    ]  # fmt: skip
    # The drawing names a clicked node's role or kind in the page's language.
    words = {code: gettext(lang, msg) for code, msg in {**KIND_NAMES, **ROLE_NAMES}.items()}
    return page(request, "group.html", actor, file=file, sites_json=json.dumps(sites),
                graph_words=json.dumps(words, ensure_ascii=False),
                ringleaders=RINGLEADERS, min_confidence=MIN_CONFIDENCE, shown=25)  # fmt: skip


@router.get("/groups/{group_id}/members")
def members(
    request: Request,
    session: SessionDep,
    actor: GroupsWhy,
    group_id: int,
    start: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Every member with its evidence, a page at a time (a group can hold thousands)."""
    file = network.read_group(session, actor, group_id)
    return page(request, "members.html", actor, file=file, start=start, size=MEMBERS_PAGE,
                ringleaders=RINGLEADERS)  # fmt: skip


@router.get("/groups/{group_id}/graph")
def graph(
    request: Request,
    session: SessionDep,
    store: StoreDep,
    actor: GroupsWhy,
    group_id: int,
    around: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The group's members and their ties as Cytoscape.js elements, which the page draws;
    with ``around``, a member's ties that lead out of the group (when it is opened)."""
    elements: dict[str, Any] = network_graph.group_graph(
        session, settings_of(request, store), actor, group_id, around
    )
    return JSONResponse(elements, headers={"Cache-Control": "no-store"})


@router.post("/groups/{group_id}/case")
def open_case(
    request: Request,
    session: SessionDep,
    actor: CasesWrite,
    group_id: int,
    title: Annotated[str, Form(max_length=200)],
    min_confidence: Annotated[float, Form(ge=0.0, le=1.0)] = MIN_CONFIDENCE,
) -> Response:
    """Open a case: members at or above the threshold become suspects, the rest to review."""
    opened = cases.open_case(SqlUnitOfWork(session), actor, title, CaseOrigin.GROUP,
                             str(group_id), min_confidence)  # fmt: skip
    return page(request, "case_opened.html", actor, opened=opened, group_id=group_id)

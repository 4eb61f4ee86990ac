"""The dissuasion queue (劝阻): people to warn while a scam is under way."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from scamnet.api.auth import require
from scamnet.api.deps import SessionDep
from scamnet.api.paging import Limit, Offset, as_json
from scamnet.core.access import Actor, Permission

router = APIRouter(prefix="/v1", tags=["dissuasion"])
Reader = Annotated[Actor, Depends(require(Permission.DISSUASION_READ, personal=True))]
Worker = Annotated[Actor, Depends(require(Permission.DISSUASION_WORK))]
ItemId = Annotated[int, PathParam(ge=1, le=2**62)]


class OutcomeIn(BaseModel):
    outcome: Literal["reached", "warned", "money_stopped", "no_answer"]
    prevented: Annotated[str | None, Field(max_length=24)] = None
    note: Annotated[str, Field(max_length=2000)] = ""


def _public(item: Any) -> dict[str, Any]:
    from scamnet.stream.queue import advice_for

    out: dict[str, Any] = as_json(item)
    for money in ("amount", "prevented"):  # exact, as written: never a float
        value = getattr(item, money)
        out[money] = str(value) if value is not None else None
    return {**out, "advice": advice_for(item.fraud_type)}


@router.get("/dissuasion")
def list_queue(
    actor: Reader, session: SessionDep, limit: Limit = 50, offset: Offset = 0,
    status: Literal["open", "taken", "closed"] | None = "open",
) -> dict[str, Any]:  # fmt: skip
    """The people to warn in your agencies, most urgent first (an audited read)."""
    from scamnet.stream import queue

    found = queue.list_queue(session, actor, status, min(limit, queue.MAX_PAGE), offset)
    return {"total": found.total, "items": [_public(i) for i in found.items]}


@router.get("/dissuasion/{item_id}")
def show(item_id: ItemId, actor: Reader, session: SessionDep) -> dict[str, Any]:
    """One person to warn: who, by which number, when, the risk and the advice."""
    from scamnet.stream import queue

    return _public(queue.show_item(session, actor, item_id))


@router.post("/dissuasion/{item_id}/take")
def take(item_id: ItemId, actor: Worker, session: SessionDep) -> dict[str, Any]:
    """Take the item: you call the person; nobody else does meanwhile."""
    from scamnet.stream import queue

    return _public(queue.take(session, actor, item_id))


@router.post("/dissuasion/{item_id}/outcome")
def outcome(item_id: ItemId, body: OutcomeIn, actor: Worker, session: SessionDep
            ) -> dict[str, Any]:  # fmt: skip
    """What the call achieved; money_stopped counts the amount in the statistics."""
    from scamnet.stream import queue

    done = queue.record_outcome(session, actor, item_id, queue.Outcome(body.outcome),
                                body.prevented, body.note)  # fmt: skip
    return _public(done)

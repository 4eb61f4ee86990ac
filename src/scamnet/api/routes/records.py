"""Records pushed as they happen by an operator or a bank (docs/stream.md)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from scamnet.api.auth import require_briefly
from scamnet.api.deps import SettingsDep, StoreDep
from scamnet.core.access import Actor, Permission
from scamnet.settings import Settings
from scamnet.store import Store

router = APIRouter(prefix="/v1", tags=["records"])
# Authorised in a unit of work of its own: the batch then waits for its group holding
# no connection of the store's pool (`scamnet.api.auth.require_briefly`).
Pusher = Annotated[Actor, Depends(require_briefly(Permission.RECORDS_PUSH))]
_built = threading.Lock()


def _intake(request: Request, settings: Settings, store: Store) -> Any:
    """The app's one intake (and the stream's scoring behind it), built on first use."""
    from scamnet.stream.service import embedded_intake

    intake = getattr(request.app.state, "push_intake", None)
    if intake is not None:
        return intake
    with _built:
        if getattr(request.app.state, "push_intake", None) is None:
            request.app.state.push_intake = embedded_intake(settings, store, own_pool=True)
    return request.app.state.push_intake


def _push(request: Request, settings: Settings, store: Store, actor: Actor, kind: str,
          body: bytes, arrived: datetime) -> Any:  # fmt: skip
    # One hop to a worker thread for the intake and the push: each hop waits for the
    # event loop and the thread pool, behind whatever else they are doing.
    return _intake(request, settings, store).push(actor, kind, body, arrived)


@router.post(
    "/records/{kind}",
    openapi_extra={"requestBody": {"required": True, "content": {"application/x-ndjson": {
        "schema": {"type": "string"}}}}},
)  # fmt: skip
async def push(
    kind: Literal["calls", "messages", "transfers", "reports"],
    request: Request, actor: Pusher, settings: SettingsDep, store: StoreDep,
) -> Any:  # fmt: skip
    """A batch of records as NDJSON (one JSON object a line, at most 1 MiB), validated as a
    file would be: each bad line is rejected with its line number and reason, the others
    are stored once (a batch or record sent again is not stored twice). 429 with
    Retry-After when the provider sends faster than the intake takes; 503 with
    Retry-After when the batch could not be taken in (send it again: records already
    stored are recognised)."""
    from scamnet.stream.intake import IntakeFailed

    arrived = datetime.now(UTC)
    body = await request.body()  # the body limit (1 MiB) is enforced before the route
    try:
        receipt = await run_in_threadpool(_push, request, settings, store, actor, kind, body,
                                          arrived)  # fmt: skip
    except IntakeFailed as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "1"}) from None
    return receipt.as_dict()

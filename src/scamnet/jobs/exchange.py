"""The exchange's delivery jobs: carrying bundles to partners over the network, which may
take minutes while a partner is unreachable (retries with backoff), so it runs in the
job worker and never holds an HTTP request.

``exchange-deliver`` carries the bundle a ``POST /v1/exchange/send-*`` just queued;
``exchange-resend`` is ``scamnet exchange resend``. Both call
`scamnet.exchange.sending.deliver`, as the CLI does.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from scamnet.core.access import Permission
from scamnet.exchange import sending
from scamnet.exchange.delivery import Delivery
from scamnet.exchange.keys import load_instance
from scamnet.jobs.kinds import JobContext, JobFailed, Params
from scamnet.jobs.results import plain

BundleId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Url = Annotated[
    str,
    Field(max_length=500, pattern=r"^https?://",
          description="The partner instance's base URL (http or https)."),
]  # fmt: skip
Agency = Annotated[str, Field(min_length=1, max_length=64)]
Attempts = Annotated[
    int, Field(ge=1, le=sending.MAX_ATTEMPTS, description="Tries per bundle, with backoff.")
]


class DeliverParams(Params):
    """The bundles a send queued (delivered to the address each was queued with)."""

    bundles: Annotated[list[BundleId], Field(min_length=1, max_length=100)]
    attempts: Attempts = 4


class ResendParams(Params):
    """``scamnet exchange resend [--url] [--to] [--attempts]``; ``bundles`` only these."""

    url: Url | None = None
    to: Agency | None = None
    attempts: Attempts = 4
    bundles: Annotated[list[BundleId] | None, Field(max_length=100)] = None


def _outcome(results: list[Delivery]) -> dict[str, Any]:
    """The deliveries as the result; any bundle still waiting fails the job, saying why."""
    waiting = [r for r in results if not r.delivered]
    if waiting:
        first = waiting[0]
        raise JobFailed(
            f"{len(waiting)} of {len(results)} bundles still wait in the outbox; "
            f"{first.bundle_id[:12]} to {first.recipient}: {first.message} "
            "(POST /v1/exchange/outbox/resend tries again)"
        )
    return {"delivered": len(results), "deliveries": plain(results)}


def run_deliver(ctx: JobContext, p: DeliverParams) -> Any:
    me = load_instance(ctx.settings.data_dir)
    # Whoever may send a kind of bundle may carry it: a manifest needs handovers.write.
    return _outcome(sending.deliver(ctx.store, ctx.actor, me, p.bundles, attempts=p.attempts,
                                    need=Permission.HANDOVERS_WRITE))  # fmt: skip


def run_resend(ctx: JobContext, p: ResendParams) -> Any:
    me = load_instance(ctx.settings.data_dir)
    return _outcome(sending.deliver(ctx.store, ctx.actor, me, p.bundles, p.url, p.to,
                                    p.attempts))  # fmt: skip

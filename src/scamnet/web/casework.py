"""Cases, suspects and transfer requests: the lists, and a form for every lifecycle step
the case use cases allow (add a suspect, move a suspect's status, link a warrant, ask a
partner for a transfer, move a request on). Each step is a posted form with the CSRF
token, checked against the role's permission; a step the lifecycle refuses is shown as
a one-line reason and nothing is written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from scamnet.api.deps import SessionDep
from scamnet.cases import listing, suspects, transfers
from scamnet.core.cases import TransferStatus
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus
from scamnet.store.agencies import AgencyRepository
from scamnet.store.uow import SqlUnitOfWork
from scamnet.web.guard import CasesRead, CasesWrite, TransfersRead, TransfersWrite
from scamnet.web.purpose import CasesWhy, TransfersWhy
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
Basis = Annotated[str, Form(min_length=1, max_length=500)]


@router.get("/cases")
def cases(request: Request, session: SessionDep, actor: CasesRead) -> Response:
    """The cases of the actor's agencies and those shared with them (no names)."""
    return page(
        request, "cases.html", actor, cases=listing.list_cases(SqlUnitOfWork(session), actor)
    )


@router.get("/cases/{reference}")
def case(request: Request, session: SessionDep, actor: CasesWhy, reference: str) -> Response:
    """A case with its suspects, each with names, role, status history (audited) and the
    steps its status may take next."""
    file = suspects.read_case(SqlUnitOfWork(session), actor, reference)
    following = {s.suspect.id: sorted(SuspectStatus(s.suspect.status).allowed_next())
                 for s in file.suspects}  # fmt: skip
    partners = [a for a in AgencyRepository(session).all() if a.code != actor.agency]
    return page(request, "case.html", actor, file=file, following=following, roles=list(Role),
                statuses=list(SuspectStatus), partners=partners)  # fmt: skip


@router.post("/cases/{reference}/suspects")
def add_suspect(
    session: SessionDep,
    actor: CasesWrite,
    reference: str,
    person: Annotated[int, Form(ge=1, le=2**62)],
    legal_basis: Basis,
    role: Annotated[str, Form(max_length=32)] = "",
    status: Annotated[str, Form(max_length=32)] = SuspectStatus.IDENTIFIED.value,
) -> Response:
    suspects.add_suspect(SqlUnitOfWork(session), actor, reference, person,
                         Role(role) if role else None, SuspectStatus(status),
                         legal_basis)  # fmt: skip
    return RedirectResponse(f"/cases/{reference}", 303)


@router.post("/suspects/{suspect_id}/status")
def change_status(
    session: SessionDep,
    actor: CasesWrite,
    suspect_id: int,
    status: Annotated[str, Form(max_length=32)],
    legal_basis: Basis,
    case: Annotated[str, Form(max_length=64)],
) -> Response:
    """Move a suspect on; the lifecycle refuses an illegal step and writes nothing."""
    suspects.change_status(SqlUnitOfWork(session), actor, suspect_id, SuspectStatus(status),
                           legal_basis)  # fmt: skip
    return RedirectResponse(f"/cases/{_ref(case)}", 303)


@router.post("/suspects/{suspect_id}/warrant")
def warrant(
    session: SessionDep,
    actor: CasesWrite,
    suspect_id: int,
    warrant: Annotated[str, Form(min_length=1, max_length=64)],
    case: Annotated[str, Form(max_length=64)],
) -> Response:
    suspects.issue_warrant(SqlUnitOfWork(session), actor, suspect_id, warrant.strip())
    return RedirectResponse(f"/cases/{_ref(case)}", 303)


@router.get("/transfers")
def transfer_list(request: Request, session: SessionDep, actor: TransfersRead) -> Response:
    found = transfers.list_requests(SqlUnitOfWork(session), actor)
    return page(request, "transfers.html", actor, requests=found)


@router.post("/transfers")
def request_transfer(
    session: SessionDep,
    actor: TransfersWrite,
    partner: Annotated[str, Form(min_length=1, max_length=64)],
    legal_basis: Basis,
    persons: Annotated[list[int], Form()],
) -> Response:
    """Ask a partner agency to hand over the persons ticked on a case page."""
    reference = transfers.create(SqlUnitOfWork(session), actor, partner, persons, legal_basis)
    return RedirectResponse(f"/transfers/{reference}", 303)


@router.get("/transfers/{reference}")
def transfer(
    request: Request, session: SessionDep, actor: TransfersWhy, reference: str
) -> Response:
    found = transfers.read_request(SqlUnitOfWork(session), actor, reference)
    following = sorted(s.value for s in TransferStatus if _allowed(found.status, s))
    return page(request, "transfer.html", actor, t=found, following=following)


@router.post("/transfers/{reference}/status")
def move_transfer(
    session: SessionDep,
    actor: TransfersWrite,
    reference: str,
    status: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Move a request on; the procedure refuses a change out of order."""
    transfers.change(SqlUnitOfWork(session), actor, reference, TransferStatus(status), note)
    return RedirectResponse(f"/transfers/{reference}", 303)


def _allowed(current: str, new: TransferStatus) -> bool:
    try:
        TransferStatus(current).transition_to(new)
    except Exception:
        return False
    return True


def _ref(reference: str) -> str:
    """A case reference to go back to, kept to its own characters (no open redirect)."""
    return "".join(ch for ch in reference if ch.isalnum() or ch == "-")[:64]

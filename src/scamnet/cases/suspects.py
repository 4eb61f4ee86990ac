"""Cases and their suspects: every status change goes through the lifecycle and leaves
its author, time, agency and legal basis, in the case and in the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from scamnet.cases.ports import UnitOfWork
from scamnet.core.access import Actor
from scamnet.core.cases import (
    CaseOrigin,
    CaseSummary,
    StatusChange,
    SuspectView,
    require_legal_basis,
)
from scamnet.core.entities import GroupMember, Person
from scamnet.core.errors import InvalidRecord, NotAllowed, NotFound
from scamnet.core.handling import HandlingCode
from scamnet.core.membership import MIN_CONFIDENCE, split
from scamnet.core.roles import Role
from scamnet.core.suspect import SuspectStatus


class CaseExists(InvalidRecord):
    """A case from that origin is already open."""

    def __init__(self, reference: str, origin: str, ref: str) -> None:
        self.reference = reference
        super().__init__(f"case {reference} is already open for {origin} {ref}; add to it instead")


@dataclass(frozen=True, slots=True)
class OpenedCase:
    """A case just opened; from a group, the members below the threshold to review."""

    reference: str
    suspects: int
    min_confidence: float | None = None
    to_review: list[GroupMember] = field(default_factory=list)  # one per person, best first


@dataclass(frozen=True, slots=True)
class SuspectFile:
    """A suspect as an investigator reads them: who, what role, where in the lifecycle."""

    suspect: SuspectView
    person: Person
    history: list[StatusChange]


@dataclass(frozen=True, slots=True)
class CaseFile:
    case: CaseSummary
    suspects: list[SuspectFile]


def open_case(
    uow: UnitOfWork,
    actor: Actor,
    title: str,
    origin: CaseOrigin,
    origin_ref: str | None,
    min_confidence: float = MIN_CONFIDENCE,
) -> OpenedCase:
    """Open a case; a group, alert or report origin must exist.

    From a group, the persons behind members at or above ``min_confidence`` become
    suspects with their roles; the others are returned to review, so that nobody is
    made a suspect on weak evidence. A second case from the same origin is refused,
    naming the open one.
    """
    if not title.strip():
        raise InvalidRecord("a case needs a title")
    if origin is not CaseOrigin.MANUAL:
        if origin_ref is None or not origin_ref.strip():
            raise InvalidRecord(f"a case opened from a {origin.value} names it (--ref)")
        if not uow.cases.origin_exists(origin, origin_ref):
            raise NotFound(f"no {origin.value} {origin_ref!r} to open a case from")
        existing = uow.cases.case_from(origin.value, origin_ref)
        if existing is not None:
            raise CaseExists(existing, origin.value, origin_ref)
    now = datetime.now(UTC)
    reference = f"C-{now.year}-{uow.cases.count() + 1:05d}"
    uow.cases.add_case(
        CaseSummary(reference, title.strip(), origin.value, origin_ref, actor.agency, actor.user,
                    now, 0)
    )  # fmt: skip
    uow.audit.append(
        actor.user, "case.open", reference, {"origin": origin.value, "ref": origin_ref}
    )
    if origin is not CaseOrigin.GROUP or origin_ref is None:
        return OpenedCase(reference, 0)
    members = split(uow.cases.group_members(int(origin_ref)), min_confidence)
    added = 0
    for person_id, m in sorted(members.persons().items()):
        basis = f"member of group {origin_ref} (confidence {m.confidence:.2f}: {m.evidence})"
        add_suspect(uow, actor, reference, person_id, _role(m.role), SuspectStatus.IDENTIFIED,
                    basis[:500])  # fmt: skip
        added += 1
    review = sorted(members.persons_to_review().values(), key=lambda m: -(m.confidence or 0))
    return OpenedCase(reference, added, min_confidence, review)


def _role(text: str) -> Role | None:
    try:
        return Role(text)
    except ValueError:  # a handset or a tower has no role a person could hold
        return None


def _visible(uow: UnitOfWork, actor: Actor, reference: str) -> CaseSummary:
    """The case if the actor may read it. A case it may not read is reported as missing:
    the refusal must not tell that an investigation exists."""
    case = uow.cases.case(reference)
    if case is None or not uow.access.visibility(actor).may_read(case.agency, case.handling):
        raise NotFound(f"no case {reference!r}")
    return case


def _writable(uow: UnitOfWork, actor: Actor, reference: str) -> CaseSummary:
    """The case if the actor's agency (or one above it) owns it: shared cases are read-only."""
    case = _visible(uow, actor, reference)
    if not actor.sees_agency(case.agency):
        raise NotAllowed(f"case {reference} belongs to {case.agency}; a shared case is read-only")
    return case


def _case_id(uow: UnitOfWork, reference: str) -> int:
    found = uow.cases.case_id(reference)
    if found is None:
        raise NotFound(f"no case {reference!r}")
    return found


def add_suspect(
    uow: UnitOfWork,
    actor: Actor,
    reference: str,
    person_id: int,
    role: Role | None,
    status: SuspectStatus,
    legal_basis: str,
) -> int:
    basis = require_legal_basis(legal_basis)
    _writable(uow, actor, reference)
    case_id = _case_id(uow, reference)
    if not uow.cases.person_exists(person_id):
        raise NotFound(f"no person {person_id}")
    if uow.cases.suspect_in(case_id, person_id) is not None:
        raise InvalidRecord(f"person {person_id} is already a suspect in {reference}")
    sid = uow.cases.add_suspect(case_id, person_id, role.value if role else None, status.value)
    _record(uow, actor, sid, person_id, None, status, basis)
    return sid


def _suspect(uow: UnitOfWork, suspect_id: int) -> SuspectView:
    view = uow.cases.suspect(suspect_id)
    if view is None:
        raise NotFound(f"no suspect {suspect_id}")
    return view


def change_status(
    uow: UnitOfWork, actor: Actor, suspect_id: int, new: SuspectStatus, legal_basis: str
) -> SuspectView:
    """Move a suspect on; an illegal change raises and nothing is written."""
    basis = require_legal_basis(legal_basis)
    _writable(uow, actor, _suspect(uow, suspect_id).case)
    return _move(uow, actor, suspect_id, new, basis)


def _move(
    uow: UnitOfWork, actor: Actor, suspect_id: int, new: SuspectStatus, basis: str
) -> SuspectView:
    view = _suspect(uow, suspect_id)
    current = SuspectStatus(view.status)
    current.transition_to(new)
    uow.cases.set_status(suspect_id, new.value)
    _record(uow, actor, suspect_id, view.person_id, current, new, basis)
    return _suspect(uow, suspect_id)


def issue_warrant(uow: UnitOfWork, actor: Actor, suspect_id: int, warrant_id: str) -> SuspectView:
    """A warrant makes a suspect a fugitive: their status becomes wanted.

    A warrant above the actor's clearance (an H3 one of another agency) is not found,
    as any record read past its handling code.
    """
    exists, linked = uow.cases.warrant_person(warrant_id)
    coded = uow.cases.warrant_handling(warrant_id)
    if (
        not exists
        or coded is None
        or not HandlingCode(coded[1]).within(actor.clearance_for(coded[0]))
    ):
        raise NotFound(f"no warrant {warrant_id!r}")
    view = _suspect(uow, suspect_id)
    if linked is None:
        uow.cases.link_warrant(warrant_id, view.person_id)
    elif linked != view.person_id:
        raise InvalidRecord(f"warrant {warrant_id} names another person")
    return change_status(uow, actor, suspect_id, SuspectStatus.WANTED, f"warrant {warrant_id}")


def hand_over(uow: UnitOfWork, actor: Actor, person_id: int, basis: str) -> int:
    """Move every suspect record of a person handed over at the border; returns how many.

    Every agency's cases move, not only the actor's: a handover is a fact at the border
    that each case about the person must reflect (the status change names the actor).
    """
    basis = require_legal_basis(basis)
    moved = 0
    for suspect in uow.cases.suspects(person_id=person_id):
        status = SuspectStatus(suspect.status)
        # A fugitive found in a batch was first detained abroad; record both steps.
        if not status.can_transition_to(SuspectStatus.HANDED_OVER):
            if not status.can_transition_to(SuspectStatus.DETAINED_ABROAD):
                continue  # already past the border, or deceased: nothing to move
            _move(uow, actor, suspect.id, SuspectStatus.DETAINED_ABROAD, basis)
        _move(uow, actor, suspect.id, SuspectStatus.HANDED_OVER, basis)
        moved += 1
    return moved


def _record(
    uow: UnitOfWork,
    actor: Actor,
    suspect_id: int,
    person_id: int,
    old: SuspectStatus | None,
    new: SuspectStatus,
    basis: str,
) -> None:
    old_value = old.value if old else None
    change = StatusChange(old_value, new.value, datetime.now(UTC), actor.user, actor.agency, basis)
    uow.cases.add_status_change(suspect_id, change)
    uow.audit.append(
        actor.user,
        "suspect.status",
        f"suspect:{suspect_id}",
        {"person": person_id, "from": old_value, "to": new.value, "agency": actor.agency,
         "basis": basis},
    )  # fmt: skip


def suspects(uow: UnitOfWork, actor: Actor, reference: str) -> list[SuspectView]:
    _visible(uow, actor, reference)
    return uow.cases.suspects(case_id=_case_id(uow, reference))


def history(uow: UnitOfWork, suspect_id: int) -> list[StatusChange]:
    _suspect(uow, suspect_id)
    return uow.cases.history(suspect_id)


def read_case(uow: UnitOfWork, actor: Actor, reference: str) -> CaseFile:
    """A case with each suspect's names, identifiers and history: an audited read."""
    case = _visible(uow, actor, reference)
    views = uow.cases.suspects(case_id=_case_id(uow, reference))
    uow.audit.append(actor.user, "case.read", reference,
                     {"agency": actor.agency, "why": actor.why, "handling": case.handling,
                      "persons": [v.person_id for v in views]})  # fmt: skip
    return CaseFile(
        case,
        [SuspectFile(v, uow.persons.get(v.person_id), uow.cases.history(v.id)) for v in views],
    )

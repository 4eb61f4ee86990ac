"""Names approved for publication in a bulletin. Only a supervisor can approve one,
and the text must say what the person is suspected of: nobody is guilty by record."""

from __future__ import annotations

from datetime import UTC, datetime

from scamnet.cases.ports import UnitOfWork
from scamnet.core.access import Actor, Permission
from scamnet.core.errors import InvalidRecord, NotAllowed, NotFound


def approve(uow: UnitOfWork, actor: Actor, person_id: int, text: str) -> None:
    if not actor.may(Permission.BULLETIN_APPROVE):
        roles = ", ".join(sorted(actor.roles)) or "no role"
        raise NotAllowed(f"{actor.user} has {roles}; approving a name needs a supervisor")
    username = actor.user
    try:
        uow.persons.get(person_id)
    except LookupError:
        raise NotFound(f"no person {person_id}") from None
    clean = text.strip()
    if not clean or ("suspect" not in clean.lower() and "嫌疑" not in clean):
        raise InvalidRecord("the published text must say 'suspected' (or 嫌疑)")
    uow.publications.put(person_id, clean, username, datetime.now(UTC))
    uow.audit.append(username, "publication.approve", f"person:{person_id}", {"text": clean})


def revoke(uow: UnitOfWork, actor: Actor, person_id: int) -> None:
    if not actor.may(Permission.BULLETIN_APPROVE):
        raise NotAllowed(f"{actor.user} may not withdraw a published name")
    if uow.publications.remove(person_id):
        uow.audit.append(actor.user, "publication.revoke", f"person:{person_id}", {})


def approved(uow: UnitOfWork) -> list[str]:
    return uow.publications.approved()

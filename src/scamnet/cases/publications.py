"""Names approved for publication in a bulletin. Only a supervisor can approve one,
and the text must say what the person is suspected of: nobody is guilty by record."""

from __future__ import annotations

from datetime import UTC, datetime

from scamnet.cases.ports import UnitOfWork
from scamnet.core.access import UserRole
from scamnet.core.errors import InvalidRecord, NotAllowed, NotFound


def approve(uow: UnitOfWork, username: str, person_id: int, text: str) -> None:
    role = uow.users.role_of(username)
    if role is None:
        raise NotAllowed(
            f"no active user {username!r}; create one with `scamnet user add` (or pass --user)"
        )
    if not role.at_least(UserRole.SUPERVISOR):
        raise NotAllowed(f"{username} is {role.value}; approving a name needs a supervisor")
    try:
        uow.persons.get(person_id)
    except LookupError:
        raise NotFound(f"no person {person_id}") from None
    clean = text.strip()
    if not clean or ("suspect" not in clean.lower() and "嫌疑" not in clean):
        raise InvalidRecord("the published text must say 'suspected' (or 嫌疑)")
    uow.publications.put(person_id, clean, username, datetime.now(UTC))
    uow.audit.append(username, "publication.approve", f"person:{person_id}", {"text": clean})


def revoke(uow: UnitOfWork, username: str, person_id: int) -> None:
    if uow.publications.remove(person_id):
        uow.audit.append(username, "publication.revoke", f"person:{person_id}", {})


def approved(uow: UnitOfWork) -> list[str]:
    return uow.publications.approved()

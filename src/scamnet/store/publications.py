"""Names approved for publication. Only a supervisor can approve one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.access import UserRole
from scamnet.core.errors import InvalidRecord
from scamnet.store.audit import AuditLog
from scamnet.store.casemodels import PublicationRow
from scamnet.store.models import PersonRow
from scamnet.store.users import UserRepository


class NotAllowed(PermissionError):
    """The user's role does not allow the action."""


class PublicationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def approve(self, person_id: int, text: str, username: str) -> None:
        user = UserRepository(self.session).get(username)
        if user is None or not user.active:
            raise NotAllowed(f"no active user {username!r}")
        if not user.role.at_least(UserRole.SUPERVISOR):
            raise NotAllowed(
                f"{username} is {user.role.value}; approving a name needs a supervisor"
            )
        if self.session.get(PersonRow, person_id) is None:
            raise LookupError(f"no person {person_id}")
        if not text.strip() or ("suspect" not in text.lower() and "嫌疑" not in text):
            # Nobody is guilty by record: a published name says what they are suspected of.
            raise InvalidRecord("the published text must say 'suspected' (or 嫌疑)")
        row = self.session.scalar(
            select(PublicationRow).where(PublicationRow.person_id == person_id)
        )
        if row is None:
            row = PublicationRow(
                person_id=person_id,
                approved_by=username,
                approved_at=datetime.now(UTC),
                text=text.strip(),
            )
            self.session.add(row)
        else:
            row.text, row.approved_by, row.approved_at = text.strip(), username, datetime.now(UTC)
        AuditLog(self.session).append(
            username, "publication.approve", f"person:{person_id}", {"text": text.strip()}
        )

    def revoke(self, person_id: int, username: str) -> None:
        row = self.session.scalar(
            select(PublicationRow).where(PublicationRow.person_id == person_id)
        )
        if row is not None:
            self.session.delete(row)
            AuditLog(self.session).append(username, "publication.revoke", f"person:{person_id}", {})

    def approved(self) -> list[str]:
        return list(self.session.scalars(select(PublicationRow.text).order_by(PublicationRow.id)))

"""One transaction's worth of the store, as the use cases' ports (`scamnet.cases.ports`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scamnet.core.access import UserRole
from scamnet.store.audit import AuditLog
from scamnet.store.cases import SqlCaseStore
from scamnet.store.handovers import SqlHandoverStore
from scamnet.store.operations import SqlOperationStore
from scamnet.store.personindex import SqlPersonIndex
from scamnet.store.persons import PersonRepository
from scamnet.store.publications import SqlPublicationStore
from scamnet.store.transfers import SqlTransferStore
from scamnet.store.users import UserRepository


class SqlUsers:
    def __init__(self, session: Session) -> None:
        self._repo = UserRepository(session)

    def role_of(self, username: str) -> UserRole | None:
        user = self._repo.get(username)
        return user.role if user is not None and user.active else None


class SqlUnitOfWork:
    """The store's ports over one session; the caller commits or rolls back the session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cases = SqlCaseStore(session)
        self.handovers = SqlHandoverStore(session)
        self.person_index = SqlPersonIndex(session)
        self.persons = PersonRepository(session)
        self.transfers = SqlTransferStore(session)
        self.operations = SqlOperationStore(session)
        self.publications = SqlPublicationStore(session)
        self.audit = AuditLog(session)
        self.users = SqlUsers(session)

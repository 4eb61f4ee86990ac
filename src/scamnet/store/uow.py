"""One transaction's worth of the store, as the use cases' ports (`scamnet.cases.ports`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scamnet.core.access import Actor, Visibility
from scamnet.store.access import visibility
from scamnet.store.audit import AuditLog
from scamnet.store.cases import SqlCaseStore
from scamnet.store.handovers import SqlHandoverStore, SqlPersonIndex
from scamnet.store.operations import SqlOperationStore
from scamnet.store.persons import PersonRepository
from scamnet.store.publications import SqlPublicationStore
from scamnet.store.transfers import SqlTransferStore


class SqlAccess:
    def __init__(self, session: Session) -> None:
        self.session = session

    def visibility(self, actor: Actor) -> Visibility:
        return visibility(self.session, actor)


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
        self.access = SqlAccess(session)

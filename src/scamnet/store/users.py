"""Users of an instance, with argon2id password hashes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from scamnet.core.access import UserRole
from scamnet.store.agencies import AgencyRepository
from scamnet.store.models import AgencyRow, UserRow

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12  # NIST SP 800-63B allows 8; investigators' accounts reach personal data
_hasher = PasswordHasher()


class UserError(ValueError):
    """A user cannot be created or authenticated as asked."""


@dataclass(frozen=True, slots=True)
class User:
    username: str
    display_name: str
    role: UserRole
    agency_code: str | None
    active: bool
    id: int


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(
        self,
        username: str,
        password: str,
        role: UserRole,
        display_name: str = "",
        agency_code: str | None = None,
    ) -> User:
        if not _USERNAME.match(username):
            raise UserError("a username has 2-64 lower-case letters, digits, '.', '_' or '-'")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
        if self.session.scalar(select(UserRow.id).where(UserRow.username == username)):
            raise UserError(f"user {username!r} exists already")
        agency_id = None
        if agency_code:
            agency = AgencyRepository(self.session).get(agency_code)
            agency_id = agency.id
        row = UserRow(
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
            role=role.value,
            agency_id=agency_id,
            active=True,
            created_at=datetime.now(UTC),
        )
        self.session.add(row)
        self.session.flush()
        return self._to_domain(row)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password matches and the account is active, else None."""
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None or not row.active:
            _hasher.hash(password)  # spend the same time as a real check: no user enumeration
            return None
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        return self._to_domain(row)

    def get(self, username: str) -> User | None:
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        return self._to_domain(row) if row else None

    def _to_domain(self, row: UserRow) -> User:
        code = None
        if row.agency_id is not None:
            code = self.session.scalar(select(AgencyRow.code).where(AgencyRow.id == row.agency_id))
        return User(row.username, row.display_name, UserRole(row.role), code, row.active, row.id)

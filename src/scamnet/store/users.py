"""Users of an instance (argon2id password hashes), their roles and API tokens: plain
queries. The rules (lockout, expiry, who may create whom) are in `scamnet.security`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import Parameters, PasswordHasher, extract_parameters, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scamnet.core.access import PERMISSIONS, UserRole
from scamnet.core.errors import DomainError
from scamnet.store.agencies import AgencyRepository
from scamnet.store.models import AgencyRow, UserRow
from scamnet.store.tables.access import ApiTokenRow, UserRoleRow

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12  # NIST SP 800-63B allows 8; investigators' accounts reach personal data
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte password is an attack
# argon2id with RFC 9106's low-memory profile (t=3, 64 MiB, p=4): about 0.2 s a hash here,
# which slows a guesser and every login alike. The test suite hashes hundreds of passwords
# and sets SCAMNET_PASSWORD_HASH=cheapest-for-tests; an instance never sets it (a test pins
# the default profile).
PASSWORD_PROFILES: dict[str, Parameters] = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    "cheapest-for-tests": profiles.CHEAPEST,
}


def password_hasher(environ: Mapping[str, str]) -> PasswordHasher:
    """The hasher ``SCAMNET_PASSWORD_HASH`` names in ``environ`` (RFC 9106's by default)."""
    name = environ.get("SCAMNET_PASSWORD_HASH", "rfc9106-low-memory")
    if name not in PASSWORD_PROFILES:
        raise ValueError(f"SCAMNET_PASSWORD_HASH={name!r} is not one of {list(PASSWORD_PROFILES)}")
    return PasswordHasher.from_parameters(PASSWORD_PROFILES[name])


try:
    _hasher = password_hasher(os.environ)
except ValueError as exc:  # a misconfigured process stops at once, saying why
    raise SystemExit(f"scamnet: {exc}") from None


def _stronger_than(hasher: PasswordHasher, stored: str) -> bool:
    """Whether ``hasher`` would store a stronger hash than ``stored``: a login rehashes
    only upwards, so a process with a weaker profile (the suite's) never rewrites a
    strong hash into a weak one."""
    if not hasher.check_needs_rehash(stored):
        return False
    old = extract_parameters(stored)
    fields = ("time_cost", "memory_cost", "hash_len", "salt_len")
    return all(getattr(hasher, f) >= getattr(old, f) for f in fields)


class UserError(DomainError):
    """A user cannot be created or changed as asked."""


@dataclass(frozen=True, slots=True)
class User:
    username: str
    display_name: str
    roles: frozenset[UserRole]
    agency_code: str | None
    active: bool
    id: int
    failed_logins: int = 0
    locked_until: datetime | None = None

    @property
    def role(self) -> UserRole:
        """The user's highest role (by the permissions it grants)."""
        return max(self.roles, key=lambda r: len(PERMISSIONS[r]))


@dataclass(frozen=True, slots=True)
class TokenRecord:
    user: User
    csrf_hash: str
    expires_at: datetime
    revoked: bool


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"a password has at most {MAX_PASSWORD} characters")


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(
        self,
        username: str,
        password: str,
        roles: UserRole | frozenset[UserRole],
        display_name: str = "",
        agency_code: str | None = None,
    ) -> User:
        if not _USERNAME.match(username):
            raise UserError("a username has 2-64 lower-case letters, digits, '.', '_' or '-'")
        check_password(password)
        if self.session.scalar(select(UserRow.id).where(UserRow.username == username)):
            raise UserError(f"user {username!r} exists already")
        role_set = frozenset({roles}) if isinstance(roles, UserRole) else roles
        if not role_set:
            raise UserError("a user needs at least one role")
        agency_id = AgencyRepository(self.session).get(agency_code).id if agency_code else None
        row = UserRow(
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
            agency_id=agency_id,
            active=True,
            created_at=datetime.now(UTC),
            failed_logins=0,
        )
        self.session.add(row)
        self.session.flush()
        self.session.add_all(UserRoleRow(user_id=row.id, role=r.value) for r in role_set)
        self.session.flush()
        return self._to_domain(row)

    def verify(self, username: str, password: str) -> User | None:
        """The user if the password matches (active or not: the caller decides), else None."""
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None or len(password) > MAX_PASSWORD:
            _hasher.hash("x" * MIN_PASSWORD)  # the same time as a real check: no enumeration
            return None
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if _stronger_than(_hasher, row.password_hash):
            row.password_hash = _hasher.hash(password)
        return self._to_domain(row)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password matches and the account is active, else None."""
        user = self.verify(username, password)
        return user if user is not None and user.active else None

    def get(self, username: str) -> User | None:
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        return self._to_domain(row) if row else None

    def all(self) -> list[User]:
        return [
            self._to_domain(r)
            for r in self.session.scalars(select(UserRow).order_by(UserRow.username))
        ]

    def count(self) -> int:
        return len(list(self.session.scalars(select(UserRow.id))))

    def _row(self, username: str) -> UserRow:
        row = self.session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise LookupError(f"no user {username!r}")
        return row

    def set_active(self, username: str, active: bool) -> None:
        self._row(username).active = active

    def set_password(self, username: str, password: str) -> None:
        check_password(password)
        row = self._row(username)
        row.password_hash = _hasher.hash(password)
        row.failed_logins, row.locked_until = 0, None

    def set_roles(self, username: str, roles: frozenset[UserRole]) -> None:
        if not roles:
            raise UserError("a user needs at least one role")
        row = self._row(username)
        self.session.execute(delete(UserRoleRow).where(UserRoleRow.user_id == row.id))
        self.session.add_all(UserRoleRow(user_id=row.id, role=r.value) for r in roles)
        self.session.flush()

    def set_failures(self, username: str, failures: int, locked_until: datetime | None) -> None:
        row = self._row(username)
        row.failed_logins, row.locked_until = failures, locked_until

    def add_token(
        self, username: str, token_hash: str, csrf_hash: str, label: str, expires_at: datetime
    ) -> None:
        self.session.add(
            ApiTokenRow(
                user_id=self._row(username).id,
                token_hash=token_hash,
                csrf_hash=csrf_hash,
                label=label[:64],
                created_at=datetime.now(UTC),
                expires_at=expires_at,
            )
        )
        self.session.flush()

    def token(self, token_hash: str) -> TokenRecord | None:
        found = self.session.execute(
            select(ApiTokenRow, UserRow)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.token_hash == token_hash)
        ).first()
        if found is None:
            return None
        tok, row = found
        return TokenRecord(
            self._to_domain(row), tok.csrf_hash, tok.expires_at, tok.revoked_at is not None
        )

    def revoke_token(self, token_hash: str) -> bool:
        tok = self.session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))
        if tok is None or tok.revoked_at is not None:
            return False
        tok.revoked_at = datetime.now(UTC)
        return True

    def revoke_all(self, username: str) -> int:
        uid = self._row(username).id
        toks = self.session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == uid, ApiTokenRow.revoked_at.is_(None))
        ).all()
        for tok in toks:
            tok.revoked_at = datetime.now(UTC)
        return len(toks)

    def _to_domain(self, row: UserRow) -> User:
        code = None
        if row.agency_id is not None:
            code = self.session.scalar(select(AgencyRow.code).where(AgencyRow.id == row.agency_id))
        roles = frozenset(
            UserRole(r)
            for r in self.session.scalars(
                select(UserRoleRow.role).where(UserRoleRow.user_id == row.id)
            )
        )
        return User(
            row.username,
            row.display_name,
            roles,
            code,
            row.active,
            row.id,
            row.failed_logins or 0,
            row.locked_until,
        )

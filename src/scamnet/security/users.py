"""Managing users: who may add, disable or change whom, and the actor a CLI user is.

The first admin of an instance is made by `scamnet db upgrade --admin NAME` or by
`scamnet user add` run by the operating-system user who owns the data directory: the
one who could read the store's file anyway. After that, only admins manage users.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from scamnet.core.access import Actor, Permission, UserRole
from scamnet.core.errors import NotAllowed
from scamnet.security.acting import acting_user
from scamnet.store.access import descendants
from scamnet.store.audit import AuditLog
from scamnet.store.users import User, UserRepository

BOOTSTRAP = "bootstrap"  # the audit name of the data directory's owner, before any user


@dataclass(frozen=True, slots=True)
class UserView:
    username: str
    display_name: str
    agency: str | None
    roles: list[str]
    active: bool
    locked: bool


def view(user: User) -> UserView:
    return UserView(
        user.username,
        user.display_name,
        user.agency_code,
        sorted(r.value for r in user.roles),
        user.active,
        user.locked_until is not None,
    )


def _require(by: Actor | None, session: Session) -> str:
    """The name to audit; NotAllowed unless ``by`` is an admin (or there are no users yet)."""
    if by is None:
        if UserRepository(session).count() == 0:
            return BOOTSTRAP
        raise NotAllowed("only an admin manages users once the first one exists (pass --user)")
    if not by.may(Permission.USERS_ADMIN):
        raise NotAllowed(f"{by.user!r} is not an admin")
    return by.user


def require_admin_or_self(session: Session, by: Actor, username: str) -> None:
    if by.user != username and not by.may(Permission.USERS_ADMIN):
        raise NotAllowed(f"{by.user!r} may act only on their own account")


def add_user(
    session: Session,
    by: Actor | None,
    username: str,
    password: str,
    roles: frozenset[UserRole],
    agency: str,
    display_name: str = "",
) -> UserView:
    """Create a user. ``by`` None is the data directory's owner, allowed for the first user."""
    who = _require(by, session)
    if who == BOOTSTRAP and UserRole.ADMIN not in roles:
        raise NotAllowed("the first user must be an admin (--role admin)")
    if by is not None and by.agency and agency not in by.scope | {by.agency}:
        raise NotAllowed(f"an admin of {by.agency} adds users for its own agencies only")
    user = UserRepository(session).create(username, password, roles, display_name, agency)
    AuditLog(session).append(
        who, "user.add", f"user:{username}", {"roles": sorted(roles), "agency": agency}
    )
    return view(user)


def list_users(session: Session, by: Actor) -> list[UserView]:
    _require(by, session)
    return [view(u) for u in UserRepository(session).all()]


def set_active(session: Session, by: Actor, username: str, active: bool) -> UserView:
    who = _require(by, session)
    if not active and username == by.user:
        raise NotAllowed("an admin cannot disable their own account")
    repo = UserRepository(session)
    repo.set_active(username, active)
    if not active:
        repo.revoke_all(username)
    AuditLog(session).append(who, "user.enable" if active else "user.disable", f"user:{username}")
    return view(_get(repo, username))


def set_password(session: Session, by: Actor, username: str, password: str) -> None:
    require_admin_or_self(session, by, username)
    repo = UserRepository(session)
    repo.set_password(username, password)
    repo.revoke_all(username)  # a new password ends every old session
    AuditLog(session).append(by.user, "user.passwd", f"user:{username}")


def set_roles(session: Session, by: Actor, username: str, roles: frozenset[UserRole]) -> UserView:
    who = _require(by, session)
    if username == by.user and UserRole.ADMIN not in roles:
        raise NotAllowed("an admin cannot remove their own admin role")
    repo = UserRepository(session)
    repo.set_roles(username, roles)
    AuditLog(session).append(who, "user.roles", f"user:{username}", {"roles": sorted(roles)})
    return view(_get(repo, username))


def _get(repo: UserRepository, username: str) -> User:
    user = repo.get(username)
    if user is None:
        raise LookupError(f"no user {username!r}")
    return user


def cli_actor(session: Session, username: str, agency: str | None, why: str = "") -> Actor:
    """The actor for a CLI command (`scamnet.security.acting.acting_user`), read
    through the store's repositories."""
    return acting_user(_Directory(UserRepository(session), session), username, agency, why)


@dataclass(frozen=True, slots=True)
class _Directory:
    users: UserRepository
    session: Session

    def user(self, username: str) -> User | None:
        return self.users.get(username)

    def user_count(self) -> int:
        return self.users.count()

    def descendants(self, code: str) -> frozenset[str]:
        return descendants(self.session, code)


def user_count(session: Session) -> int:
    return UserRepository(session).count()

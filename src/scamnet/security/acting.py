"""Who a command-line user acts as: the rule, over any directory of users.

The rule is one, whatever reads the users: the store's repositories (every command) or
the light read path (`scamnet.store.lite`, for the commands that must start at once).
It imports nothing heavy so that the light path stays light.
"""

from __future__ import annotations

from typing import Protocol

from scamnet.core.access import Actor, UserRole
from scamnet.core.errors import NotAllowed, NotAuthenticated


class KnownUser(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def agency_code(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def roles(self) -> frozenset[UserRole]: ...


class Directory(Protocol):
    """What the rule needs to know of an instance's users and agencies."""

    def user(self, username: str) -> KnownUser | None: ...
    def user_count(self) -> int: ...
    def descendants(self, code: str) -> frozenset[str]: ...


def acting_user(directory: Directory, username: str, agency: str | None, why: str = "") -> Actor:
    """The actor for a CLI command: a registered, active user, acting for its own agency
    (free text is refused: the audit log records who acted, so it must be someone)."""
    user = directory.user(username)
    if user is None:
        hint = (
            "create the first admin with `scamnet user add NAME --role admin --agency CODE`"
            if directory.user_count() == 0
            else "ask an admin to add you with `scamnet user add`"
        )
        raise NotAuthenticated(f"no user {username!r} on this instance; {hint} (or pass --user)")
    if not user.active:
        raise NotAuthenticated(f"user {username!r} is disabled")
    if agency is not None and agency != user.agency_code:
        raise NotAllowed(f"user {username!r} acts for {user.agency_code}, not {agency!r}")
    code = user.agency_code or ""
    scope = directory.descendants(code) if code else frozenset()
    return Actor(user.username, code, user.roles, scope, why)

"""Who may do what: the user roles of an instance."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UserRole(StrEnum):
    """A user's role. Permissions grow down the list."""

    VIEWER = "viewer"  # aggregate statistics and bulletins only
    ANALYST = "analyst"  # records, alerts, persons, networks
    INVESTIGATOR = "investigator"  # cases, suspects, status changes
    SUPERVISOR = "supervisor"  # approves publication, verdicts, exports
    ADMIN = "admin"  # users, keys, partner agencies

    def at_least(self, other: UserRole) -> bool:
        """True when this role has every permission of ``other``."""
        order = list(UserRole)
        return order.index(self) >= order.index(other)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, for which agency: every use case records both."""

    user: str
    agency: str

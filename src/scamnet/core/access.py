"""Who may do what: roles, the permissions they grant, and the actor of a use case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from scamnet.core.handling import HandlingCode


class UserRole(StrEnum):
    """A user's role. A user may hold several; the permissions add up."""

    VIEWER = "viewer"  # aggregate statistics and bulletins only
    ANALYST = "analyst"  # records, alerts, identifiers, persons, networks
    INVESTIGATOR = "investigator"  # cases, suspects, status changes, handovers
    LIAISON = "liaison"  # cross-border: transfer requests, handovers, the exchange
    SUPERVISOR = "supervisor"  # approves publication, verdicts, exports
    ADMIN = "admin"  # users, keys, partner agencies, sharing rules


class Permission(StrEnum):
    """One thing a user may do. Every API route and use case names the one it needs."""

    STATS_READ = "stats.read"
    BULLETIN_RENDER = "bulletin.render"
    BULLETIN_APPROVE = "bulletin.approve"
    ALERTS_READ = "alerts.read"
    ALERTS_TRIAGE = "alerts.triage"
    IDENTIFIERS_READ = "identifiers.read"
    PERSONS_READ = "persons.read"
    PERSONS_JUDGE = "persons.judge"
    GROUPS_READ = "groups.read"
    GROUPS_EXPORT = "groups.export"
    CASES_READ = "cases.read"
    CASES_WRITE = "cases.write"
    TRANSFERS_READ = "transfers.read"
    TRANSFERS_WRITE = "transfers.write"
    HANDOVERS_READ = "handovers.read"
    HANDOVERS_WRITE = "handovers.write"
    OPERATIONS_READ = "operations.read"
    OPERATIONS_WRITE = "operations.write"
    MODELS_READ = "models.read"
    DATA_INGEST = "data.ingest"
    DATA_PROCESS = "data.process"  # features, detection and training over the whole lake
    RECORDS_PUSH = "records.push"  # records streamed in by an operator or a bank
    DISSUASION_READ = "dissuasion.read"  # the queue names potential victims
    DISSUASION_WORK = "dissuasion.work"  # take an item, record its outcome
    AUDIT_READ = "audit.read"
    USERS_ADMIN = "users.admin"
    SHARING_ADMIN = "sharing.admin"
    EXCHANGE_ADMIN = "exchange.admin"


P = Permission
_VIEWER = frozenset({P.STATS_READ, P.BULLETIN_RENDER})
_ANALYST = _VIEWER | {
    P.ALERTS_READ, P.ALERTS_TRIAGE, P.IDENTIFIERS_READ, P.PERSONS_READ, P.PERSONS_JUDGE,
    P.GROUPS_READ, P.MODELS_READ, P.CASES_READ, P.HANDOVERS_READ, P.OPERATIONS_READ,
    P.DATA_INGEST, P.DATA_PROCESS, P.RECORDS_PUSH, P.DISSUASION_READ, P.DISSUASION_WORK,
}  # fmt: skip
_INVESTIGATOR = _ANALYST | {
    P.CASES_WRITE, P.TRANSFERS_READ, P.HANDOVERS_WRITE, P.OPERATIONS_WRITE,
}  # fmt: skip
_LIAISON = _VIEWER | {
    P.IDENTIFIERS_READ, P.PERSONS_READ, P.CASES_READ, P.TRANSFERS_READ, P.TRANSFERS_WRITE,
    P.HANDOVERS_READ, P.HANDOVERS_WRITE, P.OPERATIONS_READ, P.DATA_INGEST, P.RECORDS_PUSH,
}  # fmt: skip
_SUPERVISOR = _INVESTIGATOR | _LIAISON | {P.BULLETIN_APPROVE, P.GROUPS_EXPORT, P.AUDIT_READ}
_ADMIN = frozenset(Permission)

PERMISSIONS: dict[UserRole, frozenset[Permission]] = {
    UserRole.VIEWER: _VIEWER,
    UserRole.ANALYST: frozenset(_ANALYST),
    UserRole.INVESTIGATOR: frozenset(_INVESTIGATOR),
    UserRole.LIAISON: frozenset(_LIAISON),
    UserRole.SUPERVISOR: frozenset(_SUPERVISOR),
    UserRole.ADMIN: _ADMIN,
}


def permissions_of(roles: frozenset[UserRole]) -> frozenset[Permission]:
    """Every permission the roles grant together."""
    out: frozenset[Permission] = frozenset()
    for role in roles:
        out |= PERMISSIONS[role]
    return out


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, for which agency: every use case records both.

    ``roles`` is empty for system actors (ingestion, the exchange receiver), whose
    rights come from the code path, not from a login. ``scope`` is the agencies whose
    records the actor sees (its own and its children); shared records come on top.
    ``why`` is the case or legal basis given for reading personal data.
    """

    user: str
    agency: str
    roles: frozenset[UserRole] = field(default_factory=frozenset)
    scope: frozenset[str] = field(default_factory=frozenset)
    why: str = ""

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    def sees_agency(self, agency: str) -> bool:
        """True when records owned by ``agency`` are in the actor's own scope."""
        return agency == self.agency or agency in self.scope

    def clearance_for(self, owner: str) -> HandlingCode:
        """The most restrictive code the actor may read on a record owned by ``owner``."""
        return HandlingCode.H3 if self.sees_agency(owner) else HandlingCode.H2


@dataclass(frozen=True, slots=True)
class Visibility:
    """What an actor may read: its own agencies fully, others up to a code each (from
    the sharing rules)."""

    own: frozenset[str]
    shared: dict[str, HandlingCode] = field(default_factory=dict)

    @classmethod
    def of(cls, actor: Actor, shares: Iterable[tuple[str, str]]) -> Visibility:
        """The actor's visibility from the active sharing rules granted to its agency,
        each an (owner, ceiling) pair; several rules from one owner give the widest."""
        shared: dict[str, HandlingCode] = {}
        for owner, ceiling in shares:
            code = HandlingCode(ceiling)
            if not code.shareable:
                continue  # H3 never leaves its agency, whatever a rule says
            if owner not in shared or code.rank > shared[owner].rank:
                shared[owner] = code
        return cls(frozenset(actor.scope | {actor.agency}), shared)

    def ceiling(self, owner: str) -> HandlingCode | None:
        """The most restrictive code readable on ``owner``'s records; None for nothing."""
        if owner in self.own:
            return HandlingCode.H3
        return self.shared.get(owner)

    def may_read(self, owner: str, code: HandlingCode | str) -> bool:
        ceiling = self.ceiling(owner)
        return ceiling is not None and HandlingCode(code).within(ceiling)


def agencies_below(agencies: Iterable[tuple[int, str, int | None]], code: str) -> frozenset[str]:
    """``code`` and every agency below it, from (id, code, parent id) rows."""
    children: dict[int | None, list[tuple[int, str]]] = {}
    start = None
    for id_, c, parent in agencies:
        children.setdefault(parent, []).append((id_, c))
        if c == code:
            start = id_
    out = {code}
    stack = [start] if start is not None else []
    while stack:
        for id_, c in children.get(stack.pop(), []):
            out.add(c)
            stack.append(id_)
    return frozenset(out)

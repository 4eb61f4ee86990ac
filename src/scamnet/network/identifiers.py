"""Everything known about one identifier (a number, an account, a wallet, a URL): its
alerts, the victim reports naming it, the persons holding it and the groups it is in.

An audited read: the answer may lead to persons. Records are filtered by what the
actor may read (alerts and groups belong to this instance's agency).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.identifiers import parse_identifier
from scamnet.core.identifiers.network import Url
from scamnet.store import lookup
from scamnet.store.access import visibility
from scamnet.store.audit import AuditLog

KINDS = ("tel", "acct", "wallet", "url", "imei", "ip", "chat")


@dataclass(frozen=True, slots=True)
class IdentifierFile:
    kind: str
    value: str
    graph_key: str
    alerts: list[lookup.AlertHit]
    reports: list[lookup.ReportHit]
    persons: list[int]
    groups: list[lookup.GroupHit]


def identifier_file(session: Session, actor: Actor, kind: str, raw: str) -> IdentifierFile:
    """The identifier's file; InvalidIdentifier (a DomainError) for a malformed value."""
    ident = parse_identifier(kind, raw)
    domain = ident.graph_key.split(":", 1)[1] if isinstance(ident, Url) else None
    seen = visibility(session, actor)
    # Alerts and groups are this instance's findings: the actor's own agency owns them.
    alerts = [a for a in lookup.alerts_about(session, kind, ident.value, domain)
              if seen.may_read(actor.agency, a.handling)]  # fmt: skip
    groups = [g for g in lookup.groups_with(session, ident.graph_key)
              if seen.may_read(actor.agency, g.handling)]  # fmt: skip
    found = IdentifierFile(
        kind, ident.value, ident.graph_key, alerts,
        lookup.reports_about(session, kind, ident.value, domain),
        lookup.persons_with(session, ident.graph_key), groups,
    )  # fmt: skip
    AuditLog(session).append(actor.user, "identifier.read", ident.graph_key,
                             {"agency": actor.agency, "why": actor.why,
                              "persons": found.persons})  # fmt: skip
    return found


@dataclass(frozen=True, slots=True)
class IdentifierPage:
    file: IdentifierFile
    persons: list[lookup.PersonHit]  # the file's persons, named, with their resolved id


def identifier_page(session: Session, actor: Actor, kind: str, raw: str) -> IdentifierPage:
    """The identifier's file with its persons' names and resolved ids (for a page that
    links to them); one audited read, the file's."""
    found = identifier_file(session, actor, kind, raw)
    return IdentifierPage(found, lookup.persons_named(session, found.persons))

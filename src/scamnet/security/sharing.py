"""Sharing rules: an agency lets another read its records up to a handling code.

Cross-agency reads go only through these rules. Granting and revoking are audited.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from scamnet.core.access import Actor, Permission
from scamnet.core.errors import NotAllowed
from scamnet.core.handling import HandlingCode
from scamnet.store.access import Share, ShareStore, visibility
from scamnet.store.agencies import AgencyRepository
from scamnet.store.audit import AuditLog

__all__ = ["grant", "list_shares", "revoke", "visibility"]


def grant(session: Session, by: Actor, owner: str, grantee: str, ceiling: HandlingCode) -> Share:
    """``owner`` lets ``grantee`` read up to ``ceiling`` (H3 is never shared)."""
    if not by.may(Permission.SHARING_ADMIN):
        raise NotAllowed(f"{by.user!r} may not manage sharing rules")
    if owner not in by.scope | {by.agency}:
        raise NotAllowed(f"{by.user!r} acts for {by.agency}, which cannot share {owner}'s records")
    if ceiling is HandlingCode.H3:
        raise NotAllowed("H3 records stay in their agency; share up to H2")
    agencies = AgencyRepository(session)
    agencies.get(owner), agencies.get(grantee)  # both must exist (UnknownAgency otherwise)
    share = ShareStore(session).add(owner, grantee, ceiling.value, by.user)
    AuditLog(session).append(
        by.user,
        "share.grant",
        f"agency:{grantee}",
        {"owner": owner, "ceiling": ceiling.value, "share": share.id},
    )
    return share


def revoke(session: Session, by: Actor, share_id: int) -> Share:
    if not by.may(Permission.SHARING_ADMIN):
        raise NotAllowed(f"{by.user!r} may not manage sharing rules")
    found = [s for s in ShareStore(session).active() if s.id == share_id]
    if not found:
        raise LookupError(f"no active sharing rule {share_id}")
    if found[0].owner not in by.scope | {by.agency}:
        raise NotAllowed(f"rule {share_id} belongs to {found[0].owner}")
    done = ShareStore(session).revoke(share_id)
    assert done is not None
    AuditLog(session).append(by.user, "share.revoke", f"agency:{done.grantee}", {"share": share_id})
    return done


def list_shares(session: Session, by: Actor) -> list[Share]:
    if not by.may(Permission.SHARING_ADMIN):
        raise NotAllowed(f"{by.user!r} may not read sharing rules")
    mine = by.scope | {by.agency}
    return [s for s in ShareStore(session).active() if s.owner in mine or s.grantee in mine]

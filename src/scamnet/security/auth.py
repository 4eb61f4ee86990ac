"""Logging in, tokens, and the actor a login stands for.

The rules live here; `scamnet.store.users` and `scamnet.store.access` only persist.
A token is 256 random bits; only its SHA-256 is stored. A session token comes with a
CSRF token for cookie-authenticated forms (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import NotAuthenticated, RateLimited
from scamnet.store.access import descendants, hit
from scamnet.store.audit import AuditLog
from scamnet.store.tokenreads import token_facts
from scamnet.store.users import User, UserRepository

SESSION_TTL = timedelta(hours=12)
TOKEN_TTL_DAYS = 30
MAX_TOKEN_DAYS = 365
LOCK_AFTER = 5  # consecutive wrong passwords
LOCK_FOR = timedelta(minutes=15)
CLIENT_ATTEMPTS = 20  # login attempts per client per window, right or wrong
CLIENT_WINDOW = timedelta(minutes=1)


def client_attempts() -> int:
    """Logins a client may try per minute: ``SCAMNET_LOGIN_ATTEMPTS`` (default 20).

    A gateway that puts every user behind one address needs more; a test server
    logging in many users from loopback too.
    """
    raw = os.environ.get("SCAMNET_LOGIN_ATTEMPTS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else CLIENT_ATTEMPTS


@dataclass(frozen=True, slots=True)
class Issued:
    token: str
    csrf: str
    expires_at: datetime
    actor: Actor


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def actor_of(session: Session, user: User, why: str = "") -> Actor:
    """The actor a user stands for: its agency, its roles, and the agencies below it."""
    agency = user.agency_code or ""
    scope = descendants(session, agency) if agency else frozenset()
    return Actor(user.username, agency, user.roles, scope, why)


def login(
    session: Session,
    username: str,
    password: str,
    client: str,
    label: str = "session",
    ttl: timedelta = SESSION_TTL,
) -> Issued:
    """A new token for the user, or NotAuthenticated / RateLimited with the reason.

    A refused attempt is committed before the error is raised: the failure count is
    what stops password guessing, so a rollback must not erase it.
    """
    now = datetime.now(UTC)
    if hit(session, f"login:{client}", CLIENT_WINDOW, now) > client_attempts():
        session.commit()
        raise RateLimited(
            "too many login attempts from this client; wait a minute",
            int(CLIENT_WINDOW.total_seconds()),
        )
    users = UserRepository(session)
    user = users.verify(username, password)
    known = user or users.get(username)
    if known is not None and known.locked_until is not None and known.locked_until > now:
        _refuse(session, username, "locked")
        raise NotAuthenticated("this account is locked after repeated failures; try later")
    if user is None or not user.active:
        if known is not None and user is None:
            failures = known.failed_logins + 1
            until = now + LOCK_FOR if failures >= LOCK_AFTER else None
            users.set_failures(username, 0 if until else failures, until)
        _refuse(session, username, "inactive" if user is not None else "wrong password")
        raise NotAuthenticated("wrong username or password")
    users.set_failures(username, 0, None)
    issued = _issue(session, user, label, now + ttl)
    AuditLog(session).append(username, "login", f"user:{username}", {"label": label[:64]})
    return issued


def _refuse(session: Session, username: str, why: str) -> None:
    AuditLog(session).append(
        username[:64] or "-", "login.refused", f"user:{username[:64]}", {"why": why}
    )
    session.commit()


def _issue(session: Session, user: User, label: str, expires_at: datetime) -> Issued:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    UserRepository(session).add_token(user.username, digest(token), digest(csrf), label, expires_at)
    return Issued(token, csrf, expires_at, actor_of(session, user))


def issue_token(session: Session, by: Actor, username: str, label: str, days: int) -> Issued:
    """An API token for a script or a partner's integration; an admin may issue one for
    any user, a user only for themselves."""
    from scamnet.security.users import require_admin_or_self

    require_admin_or_self(session, by, username)
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"a token lives 1 to {MAX_TOKEN_DAYS} days")
    user = UserRepository(session).get(username)
    if user is None or not user.active:
        raise NotAuthenticated(f"no active user {username!r}")
    issued = _issue(session, user, label or "api", datetime.now(UTC) + timedelta(days=days))
    AuditLog(session).append(
        by.user, "token.issue", f"user:{username}", {"label": label, "days": days}
    )
    return issued


def authenticate(session: Session, token: str, csrf: str | None = None) -> Actor:
    """The actor behind a token. With ``csrf``, the CSRF token must match the session's."""
    # One statement (`scamnet.store.tokenreads`): read on every request, never cached,
    # so a revoked token or a disabled user fails on the very next request.
    record = token_facts(session, digest(token)) if token else None
    if record is None or record.revoked:
        raise NotAuthenticated("unknown or revoked token; log in again")
    if record.expires_at <= datetime.now(UTC):
        raise NotAuthenticated("the token has expired; log in again")
    if not record.active:
        raise NotAuthenticated("this account is disabled")
    if csrf is not None and not hmac.compare_digest(digest(csrf), record.csrf_hash):
        raise NotAuthenticated("the form's CSRF token does not match this session")
    return Actor(record.username, record.agency, record.roles, record.scope)


def logout(session: Session, token: str) -> bool:
    """Revoke the token; True when it was live."""
    record = UserRepository(session).token(digest(token))
    done = UserRepository(session).revoke_token(digest(token))
    if done and record is not None:
        AuditLog(session).append(record.user.username, "logout", f"user:{record.user.username}")
    return done


def client_allowed(session: Session, key: str, limit: int, window: timedelta) -> None:
    """Count a request from a client (for the public routes); RateLimited past ``limit``."""
    if hit(session, key, window) > limit:
        session.commit()
        raise RateLimited("too many requests; slow down", int(window.total_seconds()))


def revoke_token(session: Session, by: Actor, token: str) -> bool:
    """Revoke a token: its owner's, or any as an admin."""
    from scamnet.security.users import require_admin_or_self

    record = UserRepository(session).token(digest(token))
    if record is None or record.revoked:
        return False
    require_admin_or_self(session, by, record.user.username)
    UserRepository(session).revoke_token(digest(token))
    AuditLog(session).append(by.user, "token.revoke", f"user:{record.user.username}")
    return True

"""Typed errors raised by the domain core."""

from __future__ import annotations


class DomainError(ValueError):
    """Base class for every error the core raises on bad input."""


class InvalidIdentifier(DomainError):
    """A raw value is not a valid identifier of the given kind.

    Attributes:
        kind: the identifier kind, such as ``"phone"``.
        value: the raw value as given.
        reason: why it was refused, in words.
    """

    def __init__(self, kind: str, value: object, reason: str) -> None:
        self.kind = kind
        self.value = value
        self.reason = reason
        super().__init__(f"invalid {kind} {value!r}: {reason}")


class InvalidRecord(DomainError):
    """A record or entity breaks a rule of the domain."""


class IllegalTransition(DomainError):
    """A suspect status change that the lifecycle does not allow."""

    def __init__(self, current: str, new: str, allowed: list[str]) -> None:
        self.current = current
        self.new = new
        self.allowed = allowed
        nexts = ", ".join(allowed) if allowed else "none: it is a terminal state"
        super().__init__(
            f"a suspect cannot go from {current!r} to {new!r}; allowed from {current!r}: {nexts}"
        )


class NotFound(LookupError):
    """No case, suspect, batch, request or other record with that reference."""


class NotAllowed(PermissionError):
    """The acting user's role or agency does not allow the action."""


class NotAuthenticated(PermissionError):
    """No valid login: a wrong password, an unknown, expired or revoked token, a lock."""


class RateLimited(PermissionError):
    """Too many requests from one client or for one account; retry after a while."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message)

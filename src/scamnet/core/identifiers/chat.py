"""Social and chat accounts (WeChat, QQ, Telegram, WhatsApp …)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers.base import Identifier

PLATFORMS = frozenset({"wechat", "qq", "telegram", "whatsapp", "line", "signal", "skype"})
_HANDLE = re.compile(r"^[a-z0-9_.\-]{2,64}$")


@dataclass(frozen=True, slots=True)
class ChatAccount(Identifier):
    """A handle on a messaging platform, written ``platform:handle`` (lower case)."""

    kind: ClassVar[str] = "chat"

    @classmethod
    def clean(cls, raw: str) -> str:
        platform, sep, handle = raw.strip().partition(":")
        platform = platform.strip().lower()
        handle = handle.strip().lstrip("@").lower()
        if not sep:
            raise InvalidIdentifier(cls.kind, raw, "expected platform:handle")
        if platform not in PLATFORMS:
            raise InvalidIdentifier(cls.kind, raw, f"unknown platform {platform!r}")
        if not _HANDLE.match(handle):
            raise InvalidIdentifier(cls.kind, raw, "a handle has 2-64 letters, digits, _ . -")
        return f"{platform}:{handle}"

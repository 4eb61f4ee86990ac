"""Internet identifiers: URLs (down to the registrable domain) and IP addresses."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit, urlunsplit

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers.base import Identifier

if TYPE_CHECKING:
    import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    # The suffix list snapshot bundled with tldextract; never fetch it, never cache
    # to disk: the core does no I/O beyond reading its own package data. Imported on
    # first use: it pulls in an HTTP stack that commands without URLs never need.
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def _host_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Url(Identifier):
    """A URL in normal form: lower-case scheme and host, IDN hosts in punycode.

    The graph key is the registrable domain (``dom:example.co.uk``), because scam
    campaigns rotate paths and subdomains under one bought domain.
    """

    kind: ClassVar[str] = "url"

    @classmethod
    def clean(cls, raw: str) -> str:
        text = raw.strip()
        if any(c.isspace() or ord(c) < 32 for c in text):
            raise InvalidIdentifier(cls.kind, raw, "contains white space or control characters")
        if "://" not in text:
            text = "http://" + text
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
            port = parts.port
        except ValueError as exc:
            raise InvalidIdentifier(cls.kind, raw, f"not a URL ({exc})") from None
        if parts.scheme not in ("http", "https"):
            raise InvalidIdentifier(cls.kind, raw, f"scheme {parts.scheme!r} is not http(s)")
        if not host:
            raise InvalidIdentifier(cls.kind, raw, "no host")
        host = cls._ascii_host(raw, host)
        netloc = host if port is None else f"{host}:{port}"
        return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))

    @classmethod
    def _ascii_host(cls, raw: str, host: str) -> str:
        ip = _host_ip(host)
        if ip is not None:
            return f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
        try:
            ascii_host = host.rstrip(".").encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise InvalidIdentifier(cls.kind, raw, "host is not a valid domain name") from None
        if not _extractor()(ascii_host).top_domain_under_public_suffix:
            raise InvalidIdentifier(cls.kind, raw, f"{ascii_host!r} has no registrable domain")
        return ascii_host

    @property
    def host(self) -> str:
        """The host part (punycode, or an IP address)."""
        return urlsplit(self.value).hostname or ""

    @property
    def domain(self) -> str:
        """The registrable domain, e.g. ``example.co.uk``; the IP itself for IP hosts."""
        host = self.host
        if _host_ip(host) is not None:
            return host
        return _extractor()(host).top_domain_under_public_suffix

    @property
    def is_idn(self) -> bool:
        """True when the host uses internationalised labels (a homograph risk)."""
        return any(label.startswith("xn--") for label in self.host.split("."))

    @property
    def graph_key(self) -> str:
        return f"dom:{self.domain}"


@dataclass(frozen=True, slots=True)
class IpAddress(Identifier):
    """An IPv4 or IPv6 address in its compressed canonical form."""

    kind: ClassVar[str] = "ip"

    @classmethod
    def clean(cls, raw: str) -> str:
        try:
            return ipaddress.ip_address(raw.strip()).compressed
        except ValueError:
            raise InvalidIdentifier(cls.kind, raw, "not an IPv4 or IPv6 address") from None

    @property
    def version(self) -> int:
        """4 or 6."""
        return ipaddress.ip_address(self.value).version

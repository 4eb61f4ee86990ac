"""Bundles: one signed envelope around one payload.

The signature covers the canonical JSON of every field except itself (sorted
keys, no spaces, UTF-8), so any change to the payload, the addressing or the
time breaks it. The bundle id makes a replay recognisable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from scamnet.core.errors import DomainError
from scamnet.exchange.keys import Instance

FORMAT = "scamnet-bundle/1"
MAX_BUNDLE_BYTES = 20 * 1024 * 1024  # a 31,000-person manifest is about 5 MB
FIELDS = ("format", "id", "kind", "sender", "recipient", "created_at", "payload")


class BundleKind(StrEnum):
    WANTED_LIST = "wanted_list"
    TRANSFER_REQUEST = "transfer_request"
    TRANSFER_STATUS = "transfer_status"
    HANDOVER_MANIFEST = "handover_manifest"


class BundleRefused(DomainError):
    """A bundle that is not applied, with the reason. ``code`` maps to an HTTP status."""

    def __init__(self, reason: str, code: int = 400) -> None:
        self.reason = reason
        self.code = code
        super().__init__(f"bundle refused: {reason}")


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def payload_digest(payload: Any) -> str:
    return hashlib.sha256(canonical({"payload": payload})).hexdigest()


def seal(me: Instance, kind: BundleKind, recipient: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A signed bundle from this instance to ``recipient``."""
    body = {
        "format": FORMAT,
        "id": uuid.uuid4().hex,
        "kind": kind.value,
        "sender": me.agency,
        "recipient": recipient,
        "created_at": datetime.now(UTC).isoformat(),
        "payload": payload,
    }
    signature = me.key.sign(canonical(body))
    return {**body, "signature": base64.b64encode(signature).decode("ascii")}


def parse(raw: bytes) -> dict[str, Any]:
    """Decode a bundle's bytes, refusing oversized or malformed input before anything else."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleRefused(f"larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB", 413)
    try:
        bundle = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRefused(f"not a JSON bundle: {exc}") from None
    if not isinstance(bundle, dict):
        raise BundleRefused("not a JSON object")
    return bundle


def check_shape(bundle: dict[str, Any], me: str) -> BundleKind:
    """The envelope is complete, in our format, addressed to us, of a known kind."""
    if "signature" not in bundle or not bundle.get("signature"):
        raise BundleRefused("unsigned: the bundle has no signature", 401)
    missing = [f for f in FIELDS if f not in bundle]
    if missing:
        raise BundleRefused(f"missing fields: {', '.join(missing)}")
    extra = sorted(set(bundle) - set(FIELDS) - {"signature"})
    if extra:
        raise BundleRefused(f"unexpected fields: {', '.join(extra)}")
    if bundle["format"] != FORMAT:
        raise BundleRefused(f"unknown format {bundle['format']!r}; this instance reads {FORMAT}")
    if bundle["recipient"] != me:
        raise BundleRefused(
            f"addressed to {bundle['recipient']!r}, not to this instance ({me})", 403
        )
    if not isinstance(bundle["payload"], dict):
        raise BundleRefused("the payload is not an object")
    try:
        return BundleKind(bundle["kind"])
    except ValueError:
        raise BundleRefused(f"unknown bundle kind {bundle['kind']!r}") from None


def verify(bundle: dict[str, Any], key: Ed25519PublicKey) -> None:
    """Check the signature against the sender's registered key."""
    try:
        signature = base64.b64decode(str(bundle["signature"]), validate=True)
        key.verify(signature, canonical({f: bundle[f] for f in FIELDS}))
    except (InvalidSignature, ValueError):
        raise BundleRefused(
            f"bad signature: the bundle was altered, or not signed by {bundle['sender']}'s key",
            401,
        ) from None

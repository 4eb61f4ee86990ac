"""Bundles: one signed envelope around one payload.

Format 2 (``scamnet-bundle/2``, what this instance writes) signs the RFC 8785
(JCS) canonical JSON of every field except the signature, as a JWS (RFC 7515)
with ``alg: Ed25519`` (EdDSA over Ed25519, RFC 8037, under the fully specified name
RFC 9864 gives it; the older ``EdDSA`` name is deprecated) and a detached payload
(RFC 7515 appendix F):
``signature`` is ``BASE64URL(header) + ".." + BASE64URL(Ed25519 signature)``. A
partner in any language verifies it with a JCS library and a JOSE library; the
steps are in docs/exchange.md. Format 1 (``json.dumps(sort_keys=True)`` and a raw
base64 Ed25519 signature) is still read, never written.

The signature covers the addressing and the time as well as the payload, so any
change breaks it; the bundle id makes a replay recognisable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from pydantic import ValidationError

from scamnet.core.errors import DomainError
from scamnet.core.handling import DEFAULT_HANDLING, HandlingCode
from scamnet.exchange.keys import Instance
from scamnet.exchange.schema import Envelope

FORMAT = "scamnet-bundle/2"
FORMAT_1 = "scamnet-bundle/1"
JWS_TYPE = "scamnet-bundle+jws"
ALG = "Ed25519"
MAX_BUNDLE_BYTES = 20 * 1024 * 1024  # a 31,000-person manifest is about 5 MB
FIELDS = ("format", "id", "kind", "sender", "recipient", "created_at", "payload")
# Limits checked on the parsed structure before any field is read. orjson itself
# refuses lone surrogates and nesting past 1024 levels without recursing in Python.
MAX_DEPTH = 16  # the deepest real bundle is 5 levels (envelope, payload, lines, line, value)
MAX_STRING = 4096  # the longest field stored is 500 characters; a signature is under 300
MAX_INT = 2**53 - 1  # the largest integer JSON carries exactly between languages (RFC 8785)


class BundleKind(StrEnum):
    WANTED_LIST = "wanted_list"
    TRANSFER_REQUEST = "transfer_request"
    TRANSFER_STATUS = "transfer_status"
    HANDOVER_MANIFEST = "handover_manifest"


class BundleRefused(DomainError):
    """A bundle that is not applied, with the rule that refused it.

    ``code`` maps to an HTTP status; ``rule`` is the name of the rule in the table
    of docs/exchange.md, so a partner knows exactly what to fix.
    """

    def __init__(self, reason: str, code: int = 400, rule: str = "envelope") -> None:
        self.reason = reason
        self.code = code
        self.rule = rule
        super().__init__(f"bundle refused ({rule}): {reason}")


def canonical(fields: dict[str, Any]) -> bytes:
    """RFC 8785 canonical JSON: what is signed, and what payload digests cover."""
    return rfc8785.dumps(fields)


def _canonical_v1(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def payload_digest(payload: Any) -> str:
    return hashlib.sha256(canonical({"payload": payload})).hexdigest()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def private_jwk(me: Instance) -> OKPKey:
    pem = me.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return OKPKey.import_key(pem)


def public_jwk(key: Ed25519PublicKey) -> OKPKey:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)})


def sign_detached(me: Instance, content: bytes, typ: str = JWS_TYPE) -> str:
    """A compact JWS over ``content`` with the content left out (``header..signature``)."""
    protected = {"alg": ALG, "kid": me.agency, "typ": typ}
    compact = jws.serialize_compact(protected, content, private_jwk(me), algorithms=[ALG])
    header, _content, signature = compact.split(".")
    return f"{header}..{signature}"


def verify_detached(token: str, content: bytes, key: Ed25519PublicKey, kid: str, typ: str) -> None:
    """Check a detached compact JWS over ``content``; raises ValueError when it does not hold."""
    parts = token.split(".")
    if len(parts) != 3 or parts[1]:
        raise ValueError("not a detached compact JWS (header..signature)")
    attached = f"{parts[0]}.{_b64url(content)}.{parts[2]}"
    try:
        obj = jws.deserialize_compact(attached, public_jwk(key), algorithms=[ALG])
    except (JoseError, ValueError, TypeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    header = obj.protected
    if header.get("kid") != kid or header.get("typ") != typ:
        raise ValueError(f"the JWS header names {header.get('kid')!r}/{header.get('typ')!r}")


def seal(
    me: Instance,
    kind: BundleKind,
    recipient: str,
    payload: dict[str, Any],
    handling: HandlingCode = DEFAULT_HANDLING,
) -> dict[str, Any]:
    """A signed bundle (format 2) from this instance to ``recipient``, with its code."""
    if not handling.shareable:
        raise BundleRefused(f"{handling.value} records never leave their agency", 403, "handling")
    body = {
        "format": FORMAT,
        "id": uuid.uuid4().hex,
        "kind": kind.value,
        "sender": me.agency,
        "recipient": recipient,
        "created_at": datetime.now(UTC).isoformat(),
        "payload": payload,
        "handling": handling.value,
    }
    return {**body, "signature": sign_detached(me, canonical(body))}


def parse(raw: bytes) -> dict[str, Any]:
    """Decode a bundle's bytes, refusing oversized or malformed input before anything else."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleRefused(f"larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB", 413, "size")
    try:
        # orjson checks UTF-8 (lone surrogates included) and caps nesting in C.
        bundle = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BundleRefused(f"not a JSON bundle: {exc}", 400, "json") from None
    check_limits(bundle)
    if not isinstance(bundle, dict):
        raise BundleRefused("not a JSON object", 400, "json")
    return bundle


def check_limits(value: Any) -> None:
    """Refuse structures deeper, strings longer or numbers larger than any bundle needs.

    Iterative, so a deep structure cannot exhaust the Python stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BundleRefused(f"nested deeper than {MAX_DEPTH} levels", 400, "json")
        if isinstance(item, dict):
            for key, sub in item.items():
                if len(key) > MAX_STRING:
                    raise BundleRefused(f"a key longer than {MAX_STRING} characters", 400, "json")
                stack.append((sub, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1) for sub in item)
        elif isinstance(item, str):
            if len(item) > MAX_STRING:
                raise BundleRefused(f"a string longer than {MAX_STRING} characters", 400, "json")
        elif isinstance(item, float):
            raise BundleRefused("fractional numbers are not used in bundles", 400, "json")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INT:
            raise BundleRefused(f"a number larger than {MAX_INT}", 400, "json")


def check_shape(bundle: dict[str, Any], me: str) -> BundleKind:
    """The envelope is complete, in a format we read, addressed to us, of a known kind."""
    if not bundle.get("signature"):
        raise BundleRefused("unsigned: the bundle has no signature", 401, "signature")
    check_limits(bundle)  # bundles handed over in process skip parse()
    try:
        envelope = Envelope.model_validate(bundle)
    except ValidationError as exc:
        raise BundleRefused(describe(exc), 422, _rule_of(exc)) from None
    if envelope.recipient != me:
        raise BundleRefused(
            f"addressed to {envelope.recipient!r}, not to this instance ({me})",
            403,
            "addressed-here",
        )
    return BundleKind(envelope.kind)


def verify(bundle: dict[str, Any], key: Ed25519PublicKey) -> None:
    """Check the signature against the sender's registered key."""
    body = {f: bundle[f] for f in FIELDS}
    if "handling" in bundle:  # signed with the rest since the handling codes came in
        body["handling"] = bundle["handling"]
    try:
        if bundle["format"] == FORMAT_1:
            signature = base64.b64decode(str(bundle["signature"]), validate=True)
            key.verify(signature, _canonical_v1(body))
        else:
            verify_detached(
                str(bundle["signature"]), canonical(body), key, str(bundle["sender"]), JWS_TYPE
            )
    except (InvalidSignature, ValueError, TypeError):
        raise BundleRefused(
            f"bad signature: the bundle was altered, or not signed by {bundle['sender']}'s key",
            401,
            "signature",
        ) from None


# Fields that name rows of one instance's own database: never valid in a bundle.
LOCAL_IDS = frozenset({"id", "person_id", "suspect_id", "case_id", "group_id", "entry_id"})


def _rule_of(exc: ValidationError) -> str:
    for error in exc.errors():
        if error["type"] == "extra_forbidden" and str(error["loc"][-1]) in LOCAL_IDS:
            return "no-local-ids"
    if any(e["type"] == "extra_forbidden" for e in exc.errors()):
        return "known-fields"
    return "field-values"


def describe(exc: ValidationError, prefix: str = "") -> str:
    """One line naming each bad field (at most five) and what is wrong with it."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in (prefix, *error["loc"]) if p != "")
        what = "not a field of this bundle" if error["type"] == "extra_forbidden" else error["msg"]
        parts.append(f"{where}: {what.removeprefix('Value error, ')}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f"; … {more} more" if more > 0 else "")

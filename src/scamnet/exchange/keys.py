"""This instance's identity: the agency it serves and its Ed25519 signing key."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "exchange-ed25519.pem"
IDENTITY_FILE = "instance.json"


class NoIdentity(RuntimeError):
    """The instance has no exchange identity yet (``scamnet exchange init``)."""


@dataclass(frozen=True)
class Instance:
    agency: str
    key: Ed25519PrivateKey

    @property
    def public_key(self) -> str:
        """Base64 of the 32 raw public key bytes: what partners register."""
        return encode_public(self.key.public_key())


def encode_public(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def decode_public(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise ValueError(f"not an Ed25519 public key (base64 of 32 bytes): {exc}") from None


def init_instance(data_dir: Path, agency: str) -> Instance:
    """Create the identity, or return the existing one if it serves the same agency."""
    keys = data_dir / "keys"
    if (keys / IDENTITY_FILE).exists():
        existing = load_instance(data_dir)
        if existing.agency != agency:
            raise ValueError(f"this instance already serves {existing.agency}, not {agency}")
        return existing
    keys.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # The private key is readable by its owner only, from the moment it exists.
    fd = os.open(keys / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    (keys / IDENTITY_FILE).write_text(json.dumps({"agency": agency}), encoding="utf-8")
    return Instance(agency, key)


def load_instance(data_dir: Path) -> Instance:
    keys = data_dir / "keys"
    try:
        agency = json.loads((keys / IDENTITY_FILE).read_text(encoding="utf-8"))["agency"]
        key = serialization.load_pem_private_key((keys / KEY_FILE).read_bytes(), password=None)
    except FileNotFoundError:
        raise NoIdentity(
            f"no exchange identity under {keys}; run: scamnet exchange init --agency CODE"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NoIdentity(f"{keys / KEY_FILE} is not an Ed25519 key")
    return Instance(str(agency), key)

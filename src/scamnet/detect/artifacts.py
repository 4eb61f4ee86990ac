"""Saving and loading trained models, safely.

A model directory holds ``model.json`` (algorithm, version, data hash,
parameters, metrics, classes) and ``payload.bin``, the fitted estimator. The
payload is a pickle, so it is signed with HMAC-SHA256 under a key that belongs to
this installation (``Settings.model_signing_key`` under the data directory, created
on first use). A payload whose signature does not verify is refused *before* it is
unpickled: a model directory from elsewhere cannot run code here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
from pathlib import Path
from typing import Any

from scamnet.settings import Settings


class UntrustedModel(RuntimeError):
    """The model's payload is missing, altered or was signed by another installation."""


def signing_key(settings: Settings | None = None) -> bytes:
    """This installation's key (``Settings.model_signing_key``), created on first use.

    Pass the settings of the data directory at hand: a model belongs to the data
    directory that trained it, whatever ``$SCAMNET_DATA_DIR`` says."""
    path = (settings or Settings.from_env()).model_signing_key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()


def data_hash(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.hexdigest()


def save_model(directory: Path, meta: dict[str, Any], estimator: object,
               key: bytes | None = None) -> None:  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL)
    signature = hmac.new(key or signing_key(), payload, hashlib.sha256).hexdigest()
    (directory / "payload.bin").write_bytes(payload)
    meta = {**meta, "payload_sha256": hashlib.sha256(payload).hexdigest(), "signature": signature}
    (directory / "model.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))


def load_model(directory: Path, key: bytes | None = None) -> tuple[dict[str, Any], Any]:
    try:
        meta: dict[str, Any] = json.loads((directory / "model.json").read_text())
        payload = (directory / "payload.bin").read_bytes()
    except (OSError, json.JSONDecodeError) as exc:
        raise UntrustedModel(f"{directory} is not a scamnet model directory ({exc})") from None
    expected = hmac.new(key or signing_key(), payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(meta.get("signature", ""))):
        raise UntrustedModel(
            f"{directory}: the model's signature does not verify; it was altered or trained "
            "by another installation, and is not loaded"
        )
    return meta, pickle.loads(payload)  # noqa: S301 - verified above

"""Carrying bundles: as files (air-gapped links) or over HTTP to a partner's instance."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from scamnet.exchange.bundle import MAX_BUNDLE_BYTES, BundleRefused, parse

SUFFIX = ".scamnet-bundle.json"


def write_bundle(bundle: dict[str, Any], path: Path) -> Path:
    """Write a bundle as UTF-8 JSON; a directory gets a file named after the bundle."""
    target = path / f"{bundle['kind']}-{bundle['id']}{SUFFIX}" if path.is_dir() else path
    target.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def read_bundle(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        raise BundleRefused(f"{path} is larger than {MAX_BUNDLE_BYTES} bytes", 413)
    return parse(path.read_bytes())


def deliver(bundle: dict[str, Any], base_url: str, timeout: float = 30.0) -> str:
    """POST a bundle to a partner's ``/api/exchange/bundles``; returns what it applied."""
    if not base_url.startswith(("http://", "https://")):
        raise BundleRefused(f"not an http(s) URL: {base_url!r}")
    body = json.dumps(bundle, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        base_url.rstrip("/") + "/api/exchange/bundles", data=body, method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return str(json.loads(response.read())["summary"])
    except urllib.error.HTTPError as exc:
        detail = json.loads(exc.read() or b"{}").get("detail", exc.reason)
        raise BundleRefused(f"the partner refused it ({exc.code}): {detail}", exc.code) from None
    except urllib.error.URLError as exc:
        raise BundleRefused(f"cannot reach {base_url}: {exc.reason}", 502) from None

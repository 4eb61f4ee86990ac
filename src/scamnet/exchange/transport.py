"""Carrying bundles: as files (air-gapped links) or over HTTP to a partner's instance.

Over HTTP a delivery is retried with exponential backoff while the partner is
unreachable, busy (408, 429, 503) or failing (5xx), and stops at the first
answer that settles it: applied (201), already applied (409 ``replay``: an
earlier attempt got through but its answer was lost), or refused by a rule (any
other 4xx, which no retry can change).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from scamnet.exchange.bundle import MAX_BUNDLE_BYTES, BundleRefused, parse

SUFFIX = ".scamnet-bundle.json"
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def write_bundle(bundle: dict[str, Any], path: Path) -> Path:
    """Write a bundle as UTF-8 JSON; a directory gets a file named after the bundle."""
    target = path / f"{bundle['kind']}-{bundle['id']}{SUFFIX}" if path.is_dir() else path
    target.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def read_bundle(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        raise BundleRefused(f"{path} is larger than {MAX_BUNDLE_BYTES} bytes", 413, "size")
    return parse(path.read_bytes())


@dataclass(frozen=True)
class Outcome:
    """How one delivery ended. ``final`` is False when a later retry may still succeed."""

    delivered: bool
    final: bool
    message: str
    attempts: int


def _answer(response: httpx.Response) -> tuple[dict[str, Any] | None, str]:
    """The partner's JSON answer, or None with a one-line description of what came instead."""
    text = response.text
    try:
        body = json.loads(text)
    except ValueError:
        shown = " ".join(text.split())[:120] or "an empty body"
        return None, f"the partner answered {response.status_code} with a non-JSON body: {shown!r}"
    if not isinstance(body, dict):
        return None, f"the partner answered {response.status_code} with JSON that is not an object"
    return body, str(body.get("detail", body.get("summary", "")))


def post_once(bundle: dict[str, Any], base_url: str, timeout: float) -> Outcome:
    """One POST of ``bundle`` to ``base_url``'s ``/api/exchange/bundles``."""
    url = base_url.rstrip("/") + "/api/exchange/bundles"
    body = json.dumps(bundle, ensure_ascii=False).encode("utf-8")
    try:
        response = httpx.post(
            url, content=body, timeout=timeout, headers={"Content-Type": "application/json"}
        )
    except httpx.HTTPError as exc:
        return Outcome(False, False, f"cannot reach {base_url}: {exc or type(exc).__name__}", 1)
    answer, said = _answer(response)
    if response.status_code == 201 and answer is not None and "summary" in answer:
        return Outcome(True, True, str(answer["summary"]), 1)
    if answer is None:
        return Outcome(False, False, said, 1)
    if response.status_code == 409 and answer.get("rule") == "replay":
        return Outcome(True, True, f"already applied there ({said})", 1)
    if response.status_code in RETRY_STATUS or response.status_code >= 500:
        return Outcome(False, False, f"the partner answered {response.status_code}: {said}", 1)
    return Outcome(False, True, f"the partner refused it ({response.status_code}): {said}", 1)


def deliver(
    bundle: dict[str, Any],
    base_url: str,
    attempts: int = 4,
    backoff: float = 0.5,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """POST a bundle, retrying with exponential backoff until an answer settles it."""
    if not base_url.startswith(("http://", "https://")):
        return Outcome(False, True, f"not an http(s) URL: {base_url!r}", 0)
    outcome = Outcome(False, False, "not attempted", 0)
    for attempt in range(1, max(attempts, 1) + 1):
        once = post_once(bundle, base_url, timeout)
        outcome = Outcome(once.delivered, once.final, once.message, attempt)
        if once.final:
            break
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
    return outcome

"""Checkpoints of the audit chain, signed with the instance key and kept outside the database.

A hash chain proves that no entry was changed *relative to the head*; someone
who can write to the database can still delete the last entries, or edit an
entry and re-hash everything after it. A checkpoint (entry count, head id and
hash) signed with this instance's Ed25519 key, as a detached JWS over its JCS
form like a bundle, and appended to a file outside the database, pins the head:
``scamnet audit verify`` then holds the chain against every checkpoint.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from scamnet.exchange.bundle import canonical, sign_detached, verify_detached
from scamnet.exchange.keys import Instance
from scamnet.store.audit import AuditLog, ChainReport, Checkpoint

CHECKPOINT_TYPE = "scamnet-audit-checkpoint+jws"


class BadCheckpoint(ValueError):
    """A checkpoint file line that is not signed by this instance's key."""


def _body(c: Checkpoint, agency: str) -> dict[str, object]:
    return {
        "agency": agency,
        "at": c.at.isoformat(),
        "count": c.count,
        "head_hash": c.head_hash,
        "head_id": c.head_id,
    }


def write_checkpoint(session: Session, me: Instance, path: Path) -> Checkpoint:
    """Sign the chain's current head and append it to ``path``; refuses a broken chain."""
    head = AuditLog(session).head()
    body = _body(head, me.agency)
    line = {**body, "signature": sign_detached(me, canonical(body), CHECKPOINT_TYPE)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return head


def read_checkpoints(path: Path, me: Instance) -> list[Checkpoint]:
    """Every checkpoint in ``path``, each checked against this instance's key."""
    if not path.exists():
        return []
    found = []
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            body = {k: line[k] for k in ("agency", "at", "count", "head_hash", "head_id")}
            verify_detached(
                str(line["signature"]), canonical(body), me.key.public_key(), me.agency,
                CHECKPOINT_TYPE,
            )  # fmt: skip
            found.append(
                Checkpoint(
                    int(body["count"]),
                    int(body["head_id"]),
                    str(body["head_hash"]),
                    datetime.fromisoformat(str(body["at"])),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BadCheckpoint(
                f"{path}:{n} is not a checkpoint signed by this instance: {exc}"
            ) from None
    return found


def verify_audit(session: Session, me: Instance, path: Path) -> tuple[ChainReport, int]:
    """Walk the chain and hold it against the signed checkpoints; (report, checkpoints)."""
    anchors = read_checkpoints(path, me)
    return AuditLog(session).check(anchors), len(anchors)

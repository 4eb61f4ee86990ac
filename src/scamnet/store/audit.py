"""The append-only, hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash, so changing
or removing any past entry breaks every hash after it (the scheme of Crosby and
Wallach, "Efficient Data Structures for Tamper-Evident Logging", USENIX 2009,
in its simplest linear form). The database refuses UPDATE and DELETE on the table.

Two things the chain alone cannot give are added here:

- Appends are serialised. Each append takes the database's write lock (SQLite)
  or a transaction-scoped advisory lock (PostgreSQL) *before* it reads the head,
  so two concurrent transactions can never chain onto the same predecessor.
- The head can be checked against checkpoints (count, head id and hash) kept
  outside the database (see :mod:`scamnet.exchange.anchor`), so deleting the
  last entries, or editing an entry and re-hashing everything after it, is
  detected: the chain is still self-consistent, but no longer the one signed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from scamnet.store.auditgroup import GROUP_KEY, WROTE_KEY
from scamnet.store.models import AuditRow

GENESIS = "0" * 64
# Keys of the transaction-scoped advisory locks on PostgreSQL (any constant pair
# of distinct 64-bit numbers; these spell "audit" and "bundle" in ASCII).
AUDIT_LOCK = 0x6175646974
RECEIPT_LOCK = 0x62756E646C65


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain as it stood at a moment: entries counted, the last id and its hash."""

    count: int
    head_id: int
    head_hash: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of walking the chain: its length and head, and the first broken link."""

    count: int
    head_id: int | None
    head_hash: str
    broken_at: int | None = None  # the id of the first entry that does not hold
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def entry_hash(
    prev_hash: str, at: datetime, actor: str, action: str, subject: str, detail: str
) -> str:
    payload = json.dumps(
        [prev_hash, at.astimezone(UTC).isoformat(), actor, action, subject, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_HEAD_PG = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"  # the head (either store)
_LOCK_SQLITE = "UPDATE audit_log SET id = id WHERE 0 = 1"  # `write_lock`'s, on SQLite
_INSERT_SQLITE = ("INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)")  # fmt: skip


@cache
def _bind_processor(dialect: Dialect, column: str) -> Callable[[Any], Any] | None:
    """How SQLAlchemy binds a value of the audit table's ``column`` on ``dialect``."""
    kind = AuditRow.__table__.c[column].type
    return kind.dialect_impl(dialect).bind_processor(dialect)


_Entries = Sequence[tuple[str, str, str, dict[str, Any] | None]]  # (actor, action, subject, detail)


def _chained(prev: str, entries: _Entries) -> list[dict[str, Any]]:
    """The rows of ``entries`` chained after the hash ``prev``, all at one second."""
    at = datetime.now(UTC).replace(microsecond=0)  # as in ``append``
    rows = []
    for actor, action, subject, detail in entries:
        body = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        digest = entry_hash(prev, at, actor, action, subject, body)
        rows.append({"at": at, "actor": actor, "action": action, "subject": subject,
                     "detail": body, "prev_hash": prev, "hash": digest})  # fmt: skip
        prev = digest
    return rows


def write_lock(session: Session, key: int) -> None:
    """Hold a lock until this transaction ends, so that read-then-write steps do not race.

    SQLite has one writer at a time: an UPDATE that matches no row still takes the
    write lock (waiting up to the busy timeout), which is what ``BEGIN IMMEDIATE``
    would do at the start of the transaction. PostgreSQL takes an advisory lock on
    ``key`` that other readers never wait for.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        session.execute(text(_LOCK_SQLITE))


def audit_read(
    session: Session, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None
) -> None:
    """Audit a read of personal data; the entry is committed when this returns.

    Entries go through the store's group appender (one commit for every reader waiting,
    see `scamnet.store.auditgroup`) unless this unit of work has already written: then
    the writer could wait on a lock held by this very transaction, so the entry is
    appended here and commits with it.
    """
    group = session.info.get(GROUP_KEY)
    if group is None or session.info.get(WROTE_KEY):
        AuditLog(session).append(actor, action, subject, detail)
    else:
        group.append(actor, action, subject, detail)


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None
    ) -> AuditEntry:
        """Add one entry at the end of the chain (serialised with every other append)."""
        write_lock(self.session, AUDIT_LOCK)
        last = self.session.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1))
        prev = last or GENESIS
        # Microseconds are dropped: not every database keeps them, and the hash must
        # be recomputable from what was stored.
        at = datetime.now(UTC).replace(microsecond=0)
        body = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        digest = entry_hash(prev, at, actor, action, subject, body)
        row = AuditRow(
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            detail=body,
            prev_hash=prev,
            hash=digest,
        )
        self.session.add(row)
        self.session.flush()
        return _entry(row)

    def append_many(self, entries: Sequence[tuple[str, str, str, dict[str, Any] | None]]) -> None:
        """Add ``(actor, action, subject, detail)`` entries at the end of the chain, in
        order, with three statements whatever their number: the lock, the head, and one
        INSERT of them all (the group appender's; no ORM objects, which cost more than
        the rows' writing).

        Rows are inserted in the order given, under the chain's lock, so their ids
        follow the chain's order, as ``check`` walks it.
        """
        if not entries:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            self._append_many_pg(entries)
            return
        self._append_many_sqlite(entries)

    def _append_many_sqlite(self, entries: _Entries) -> None:
        """`append_many` as plain SQL on the unit of work's connection: the lock (as
        `write_lock` takes it), the head, and the rows in one ``executemany``.

        Through the ORM (two statements built and cached, a bulk insert of mappings) a
        group of one cost the writer about 2.7 ms of CPU where its SQL takes 0.4 ms, and
        at a few lists a second most groups hold one entry. ``at`` is bound as the
        column's type binds it, so the stored text, and the hash recomputed from it,
        are the same.
        """
        connection = self.session.connection()
        connection.exec_driver_sql(_LOCK_SQLITE)
        prev = connection.exec_driver_sql(_HEAD_PG).scalar()
        rows = _chained(prev or GENESIS, entries)
        at = _bind_processor(connection.dialect, "at")
        connection.exec_driver_sql(
            _INSERT_SQLITE,
            [(at(r["at"]) if at else r["at"], r["actor"], r["action"], r["subject"], r["detail"],
              r["prev_hash"], r["hash"]) for r in rows],
        )  # fmt: skip

    def _append_many_pg(self, entries: _Entries) -> None:
        """`append_many` on the driver's connection: the lock and the head in one round
        trip, the rows in a second (the commit is the unit of work's).

        Through SQLAlchemy a group cost the writer about 3 ms of CPU and six round trips
        (the ping, BEGIN, the lock, the head, the INSERT, the commit), which every audited
        read waits for; now 1.5 ms and four (BENCHMARKS.md, issue 17). BEGIN, the lock and
        the head go in one pipeline: the server runs them in order, and in READ COMMITTED
        the head's statement takes its snapshot after the lock is granted, so it sees the
        head the last holder committed, as before. Then one INSERT of every row.
        """
        conn = self.session.connection().connection.driver_connection
        cursor = conn.cursor()  # type: ignore[union-attr]
        try:
            with conn.pipeline():  # type: ignore[union-attr]
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK,))
                cursor.execute(_HEAD_PG)
            found = cursor.fetchone()
            rows = _chained(found[0] if found else GENESIS, entries)
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
            cursor.execute(f"INSERT INTO audit_log (at, actor, action, subject, detail, "  # noqa: S608
                           f"prev_hash, hash) VALUES {values}",
                           [v for r in rows for v in r.values()])  # fmt: skip
        finally:
            cursor.close()

    def entries(self, subject: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.id)
        if subject is not None:
            query = query.where(AuditRow.subject == subject)
        return [_entry(r) for r in self.session.scalars(query.limit(limit))]

    def search(self, actor: str | None, subject: str | None, limit: int) -> list[AuditEntry]:
        """Entries by actor and/or subject, newest first."""
        query = select(AuditRow).order_by(AuditRow.id.desc())
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        if subject is not None:
            query = query.where(AuditRow.subject == subject)
        return [_entry(r) for r in self.session.scalars(query.limit(limit))]

    def verify(self) -> int | None:
        """Walk the chain; return the id of the first entry that does not verify, or None."""
        return self.check().broken_at

    def head(self) -> Checkpoint:
        """The chain's current length and last entry, for a checkpoint."""
        report = self.check()
        if not report.ok:
            raise ValueError(f"the audit chain is broken: {report.reason}")
        return Checkpoint(report.count, report.head_id or 0, report.head_hash, datetime.now(UTC))

    def check(self, checkpoints: Iterable[Checkpoint] = ()) -> ChainReport:
        """Walk the chain, then hold it against ``checkpoints``; name the first broken link."""
        anchors = sorted(checkpoints, key=lambda c: c.head_id)
        by_id: dict[int, tuple[int, str]] = {}  # head id -> (position, hash), for anchors only
        wanted = {c.head_id for c in anchors}
        prev, prev_id, count = GENESIS, None, 0
        query = select(AuditRow).order_by(AuditRow.id)
        for row in self.session.scalars(query).yield_per(1000):
            expected = entry_hash(prev, row.at, row.actor, row.action, row.subject, row.detail)
            if row.prev_hash != prev:
                after = f"entry {prev_id}" if prev_id is not None else "the start"
                return ChainReport(
                    count, prev_id, prev, row.id,
                    f"entry {row.id} does not follow {after}: an entry between them was "
                    "deleted, or entries were reordered",
                )  # fmt: skip
            if row.hash != expected:
                return ChainReport(
                    count, prev_id, prev, row.id,
                    f"entry {row.id} was altered: its content no longer matches its hash",
                )  # fmt: skip
            count += 1
            prev, prev_id = row.hash, row.id
            if row.id in wanted:
                by_id[row.id] = (count, row.hash)
        return self._against(anchors, by_id, count, prev_id, prev)

    @staticmethod
    def _against(
        anchors: list[Checkpoint],
        by_id: dict[int, tuple[int, str]],
        count: int,
        head_id: int | None,
        head: str,
    ) -> ChainReport:
        last_good: Checkpoint | None = None
        for c in anchors:
            since = (
                f"after entry {last_good.head_id} (checkpoint of {last_good.at:%Y-%m-%d %H:%M})"
                if last_good
                else "from the start"
            )
            seen = by_id.get(c.head_id)
            if seen is None:
                ends = f"entry {head_id}" if head_id is not None else "no entry"
                return ChainReport(
                    count, head_id, head, c.head_id,
                    f"the chain ends at {ends}, but the checkpoint of {c.at:%Y-%m-%d %H:%M} "
                    f"covers {c.count} entries up to entry {c.head_id}: the tail was removed",
                )  # fmt: skip
            position, digest = seen
            if digest != c.head_hash or position != c.count:
                return ChainReport(
                    count, head_id, head, c.head_id,
                    f"entry {c.head_id} is not the one signed in the checkpoint of "
                    f"{c.at:%Y-%m-%d %H:%M}: the chain was rewritten {since} up to entry "
                    f"{c.head_id}, and re-hashed",
                )  # fmt: skip
            last_good = c
        return ChainReport(count, head_id, head)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.id,
        row.at,
        row.actor,
        row.action,
        row.subject,
        json.loads(row.detail),
        row.prev_hash,
        row.hash,
    )

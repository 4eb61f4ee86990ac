"""Writing ingested records into the relational store, idempotently.

Each kind has a natural key (a report id, a warrant id, a batch and its line …);
rows whose key is already stored are left alone, so taking in a file twice, or
two files that overlap, stores each record once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scamnet.core.entities import Document, Person, PersonName
from scamnet.core.identifiers import Phone
from scamnet.store.models import (
    CellRow,
    IngestedFileRow,
    PersonSourceRow,
    VictimReportRow,
    WarrantRow,
)
from scamnet.store.persons import PersonRepository


def insert_ignoring_duplicates(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on either database; returns the rows inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if len(rows) == 1:  # the database says whether one row went in: no need to count
        done = session.execute(maker(table).on_conflict_do_nothing(), rows[0])
        return int(cast(CursorResult[Any], done).rowcount)
    before = session.scalar(select(func.count()).select_from(table)) or 0
    for start in range(0, len(rows), 500):
        session.execute(maker(table).on_conflict_do_nothing(), rows[start : start + 500])
    after = session.scalar(select(func.count()).select_from(table)) or 0
    return after - before


def insert_returning_count(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING of ``rows`` in one statement on either database;
    returns the rows inserted, as the database says (RETURNING), without counting the
    table."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = next(iter(table.primary_key.columns))
    done = session.execute(maker(table).on_conflict_do_nothing().returning(key), rows)
    return len(done.all())


class StoreLedger:
    """The ingest ledger in the ``ingested_files`` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, sha256: str, kind: str) -> bool:
        query = select(IngestedFileRow.id).where(
            IngestedFileRow.sha256 == sha256, IngestedFileRow.kind == kind
        )
        return self.session.scalar(query) is not None

    def record(
        self, sha256: str, kind: str, path: str, read: int, stored: int, rejected: int
    ) -> None:
        # Two stream workers can take the same redelivered batch one after the other
        # before the first one's entry is committed (the lake lock is released first):
        # the second stored nothing (its rows were found in the lake), and its entry is
        # the same content already recorded, not an error.
        insert_ignoring_duplicates(self.session, IngestedFileRow.__table__, [{
            "sha256": sha256, "kind": kind, "path": path[:1000], "rows_read": read,
            "rows_stored": stored, "rows_rejected": rejected, "at": datetime.now(UTC),
        }])  # fmt: skip


class StoreSink:
    """Inserts validated rows of the relational kinds."""

    def __init__(
        self, session: Session, handovers: Callable[[list[dict[str, Any]]], int] | None = None
    ) -> None:
        """``handovers`` is the casework's batch writer (`scamnet.cases.handovers.import_rows`):
        a manifest is matched and checked there, never inserted here."""
        self.session = session
        self._handovers = handovers
        self._writers: dict[str, Callable[[list[dict[str, Any]]], int]] = {
            "reports": self._reports,
            "persons": self._persons,
            "wanted": self._wanted,
            "cells": lambda rows: insert_ignoring_duplicates(
                self.session,
                CellRow.__table__,
                rows,
            ),
        }

    def insert(self, kind: str, rows: list[dict[str, Any]]) -> int:
        if kind == "handovers" and self._handovers is not None:
            return self._handovers(rows)
        try:
            writer = self._writers[kind]
        except KeyError:
            raise ValueError(f"{kind} records do not go to the relational store") from None
        return writer(rows)

    def _reports(self, rows: list[dict[str, Any]]) -> int:
        return insert_ignoring_duplicates(self.session, VictimReportRow.__table__, rows)

    def _wanted(self, rows: list[dict[str, Any]]) -> int:
        return insert_ignoring_duplicates(self.session, WarrantRow.__table__, rows)

    def _persons(self, rows: list[dict[str, Any]]) -> int:
        keys = [(r["source_agency"], r["record_id"]) for r in rows]
        query = select(PersonSourceRow.source_agency, PersonSourceRow.record_id).where(
            tuple_(PersonSourceRow.source_agency, PersonSourceRow.record_id).in_(keys)
        )
        known = {(a, r) for a, r in self.session.execute(query)} if keys else set()
        repo = PersonRepository(self.session)
        added = 0
        for row in rows:
            key = (row["source_agency"], row["record_id"])
            if key in known:
                continue
            known.add(key)
            number = row.get("id_number")
            # The same resident ID is the same person: attach this record to them.
            person = repo.by_document("cn_id", number, "CN") if number else None
            if person is None:
                docs = [Document("cn_id", number, "CN")] if number else []
                person = repo.add(
                    Person(names=[PersonName.of(row["name"])], birth_date=row.get("birth_date"),
                           nationality=row.get("nationality"), documents=docs)
                )  # fmt: skip
            if row.get("phone"):
                repo.add_identifier(person.id or 0, Phone.parse(row["phone"]))
            self.session.add(PersonSourceRow(person_id=person.id, source_agency=key[0],
                                             record_id=key[1]))  # fmt: skip
            added += 1
        self.session.flush()
        return added

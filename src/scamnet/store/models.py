"""SQLAlchemy table models. These are storage rows, not the domain objects in ``core``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# Deterministic constraint names, so migrations can refer to them on both databases.
from scamnet.store.tables.base import NAMING as NAMING
from scamnet.store.tables.base import Base
from scamnet.store.types import UtcDateTime


class AgencyRow(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))

    parent: Mapped[AgencyRow | None] = relationship(remote_side=[id])


class PersonRow(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(2))
    handling: Mapped[str] = mapped_column(String(2), default="H1", server_default="H1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    names: Mapped[list[PersonNameRow]] = relationship(
        cascade="all, delete-orphan", order_by="PersonNameRow.position"
    )
    documents: Mapped[list[DocumentRow]] = relationship(
        cascade="all, delete-orphan", order_by="DocumentRow.id"
    )
    identifiers: Mapped[list[PersonIdentifierRow]] = relationship(
        cascade="all, delete-orphan", order_by="PersonIdentifierRow.id"
    )


class PersonNameRow(Base):
    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    script: Mapped[str] = mapped_column(String(16))
    # scamnet.core.names.name_key(text) and stored_forms(text) (the key first), kept so
    # matching need not romanise every known name again; NULL for a name written
    # before they were kept (matching computes them).
    name_key: Mapped[str | None] = mapped_column(Text, index=True)
    name_forms: Mapped[str | None] = mapped_column(Text)


class DocumentRow(Base):
    __tablename__ = "person_documents"
    __table_args__ = (UniqueConstraint("kind", "number", "country", name="uq_document"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))


class PersonIdentifierRow(Base):
    __tablename__ = "person_identifiers"
    __table_args__ = (UniqueConstraint("person_id", "graph_key", name="uq_person_identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(2048))
    graph_key: Mapped[str] = mapped_column(String(2100), index=True)


class GroupRow(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # manual (an analyst's) or network (found by `scamnet network groups`, rewritten each run)
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    handling: Mapped[str] = mapped_column(String(2), default="H1", server_default="H1")


class MembershipRow(Base):
    __tablename__ = "memberships"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32))


class SiteRow(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100), default="")
    radius_km: Mapped[float | None] = mapped_column(Float)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="SET NULL"), index=True
    )


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditRow(Base):
    """One audit entry. Rows are chained by hash and the table refuses UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class IngestedFileRow(Base):
    """One file taken in: its content hash makes re-ingesting it a no-op."""

    __tablename__ = "ingested_files"
    __table_args__ = (UniqueConstraint("sha256", "kind", name="uq_ingested_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(1000))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_stored: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class PersonSourceRow(Base):
    """Which agency's record a person came from (the natural key of a person record)."""

    __tablename__ = "person_sources"
    __table_args__ = (UniqueConstraint("source_agency", "record_id", name="uq_person_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    source_agency: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))


class VictimReportRow(Base):
    __tablename__ = "victim_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(String(64), unique=True)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    bureau: Mapped[str] = mapped_column(String(64))
    fraud_type: Mapped[str] = mapped_column(String(32))
    loss: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(8))
    victim_phone: Mapped[str | None] = mapped_column(String(32))
    scammer_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    scammer_account: Mapped[str | None] = mapped_column(String(64), index=True)
    scammer_url: Mapped[str | None] = mapped_column(String(2048))
    narrative: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="ingest", server_default="ingest")


class WarrantRow(Base):
    __tablename__ = "warrants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warrant_id: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[date] = mapped_column(Date)
    agency: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    pinyin: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(32), index=True)
    offence: Mapped[str | None] = mapped_column(String(500))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    # Europol SIENA handling code: a warrant names a person (H1 by default, as every
    # record got in 0012; one received from a partner keeps at least the bundle's code).
    handling: Mapped[str] = mapped_column(String(2), default="H1", server_default="H1")


class HandoverBatchRow(Base):
    __tablename__ = "handover_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64), unique=True)
    date: Mapped[date] = mapped_column(Date)
    crossing: Mapped[str] = mapped_column(String(100))
    from_agency: Mapped[str] = mapped_column(String(64))
    to_agency: Mapped[str] = mapped_column(String(64))
    # manifest (imported), exchange (a partner's signed bundle), press (published figures)
    source: Mapped[str] = mapped_column(String(16), default="manifest")
    request_ref: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))


class ManifestEntryRow(Base):
    __tablename__ = "manifest_entries"
    __table_args__ = (UniqueConstraint("batch_id", "seq", name="uq_manifest_entry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(
        ForeignKey("handover_batches.batch_id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    document: Mapped[str | None] = mapped_column(String(32))
    nationality: Mapped[str | None] = mapped_column(String(2))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    # Facts at the moment of handover, kept because later changes must not rewrite them.
    fugitive: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_role: Mapped[str | None] = mapped_column(String(32))
    warrant_id: Mapped[str | None] = mapped_column(String(64))
    match_score: Mapped[float | None] = mapped_column(Float)
    match_evidence: Mapped[str | None] = mapped_column(Text)


class CellRow(Base):
    """A mobile network cell (tower sector) and where it is."""

    __tablename__ = "cells"

    cell_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(100))
    border: Mapped[bool | None] = mapped_column(Boolean)


class AlertRow(Base):
    """A scored finding about an identifier or a record, with the reasons in words."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "model", "window", name="uq_alert"),
        Index("ix_alerts_kind_score", "kind", "score"),
        Index("ix_alerts_verdict", "verdict"),
        Index("ix_alerts_verdict_created", "verdict", "created_at"),  # the newest open ones
        Index("ix_alerts_subject", "subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # subscriber, message, url, account
    subject: Mapped[str] = mapped_column(String(2048))  # the graph key or record id
    score: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(64))  # algorithm name and version
    window: Mapped[str] = mapped_column(String(32))
    explanation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    verdict: Mapped[str | None] = mapped_column(String(16))  # the latest analyst's verdict
    assignee: Mapped[str | None] = mapped_column(String(64))
    handling: Mapped[str] = mapped_column(String(2), default="H1", server_default="H1")


# The triage queue's default order (score descending, then id): its page is read off
# the index's first entries instead of sorting every alert (migration 0016).
Index("ix_alerts_queue", AlertRow.score.desc(), AlertRow.id)


class AlertVerdictRow(Base):
    """Every verdict an analyst gave an alert, with who, when and why: decisions are data."""

    __tablename__ = "alert_verdicts"
    __table_args__ = (Index("ix_alert_verdicts_alert_id", "alert_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


# The tables of each casework noun live in store/tables/; importing them here registers
# them with the metadata the migrations compare against.
import scamnet.store.tables  # noqa: E402, F401

# The exchange outbox lives in its own module, registered the same way.
from scamnet.store import outbox as outbox  # noqa: E402

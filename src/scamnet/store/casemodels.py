"""Tables of casework: cases and suspects, transfer requests, custody, operations,
the exchange ledger with partners' keys, and names approved for publication."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scamnet.store.models import Base
from scamnet.store.types import UtcDateTime


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(16))  # group, alert, report, manual
    origin_ref: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(64))
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SuspectRow(Base):
    """A person under investigation in one case, with a role and a lifecycle status."""

    __tablename__ = "suspects"
    __table_args__ = (UniqueConstraint("case_id", "person_id", name="uq_suspect"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))


class StatusChangeRow(Base):
    """One step of a suspect's lifecycle: who moved it, when, for which agency, on what basis."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suspect_id: Mapped[int] = mapped_column(
        ForeignKey("suspects.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    author: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64))
    legal_basis: Mapped[str] = mapped_column(String(500))


class TransferRequestRow(Base):
    """A request to a partner to hand over persons. The reference travels between instances."""

    __tablename__ = "transfer_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    requesting_agency: Mapped[str] = mapped_column(String(64))
    partner_agency: Mapped[str] = mapped_column(String(64))
    legal_basis: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RequestPersonRow(Base):
    """A person named in a request, as written; ``person_id`` is this instance's match."""

    __tablename__ = "request_persons"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_request_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("transfer_requests.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    document: Mapped[str | None] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))


class RequestEventRow(Base):
    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("transfer_requests.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    agency: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")


class CustodyEventRow(Base):
    __tablename__ = "custody_events"
    __table_args__ = (UniqueConstraint("entry_id", "event", name="uq_custody_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("manifest_entries.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    author: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(200), default="")


class OperationRow(Base):
    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    agency: Mapped[str] = mapped_column(String(64))
    started_on: Mapped[date] = mapped_column(Date)


class OperationItemRow(Base):
    """A target (group, site, person) or an outcome (site closed, person arrested)."""

    __tablename__ = "operation_items"
    __table_args__ = (Index("ix_operation_items_op", "operation_id", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(8))  # target or outcome
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(200))
    on: Mapped[date | None] = mapped_column(Date)


class PartnerKeyRow(Base):
    """A partner agency's Ed25519 public key, registered out of band."""

    __tablename__ = "partner_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(String(100))  # base64 of the 32 raw bytes
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BundleRow(Base):
    """The exchange ledger: every bundle sent or received, by id and payload digest."""

    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(8))  # sent, received
    kind: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")


class PublicationRow(Base):
    """A name a supervisor approved for publication in bulletins."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    approved_by: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # What may be printed, for example "明学昌 (suspected mastermind)".
    text: Mapped[str] = mapped_column(Text)


class ResolvedRecordRow(Base):
    """Which resolved person (cluster) a source record belongs to. Ids are kept across runs."""

    __tablename__ = "resolved_records"

    uid: Mapped[str] = mapped_column(String(200), primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String(32), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class JudgementRow(Base):
    """An analyst's decision that two records are, or are not, the same person."""

    __tablename__ = "er_judgements"
    __table_args__ = (UniqueConstraint("uid_a", "uid_b", name="uq_er_judgement"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid_a: Mapped[str] = mapped_column(String(200))
    uid_b: Mapped[str] = mapped_column(String(200))
    same: Mapped[bool] = mapped_column(Boolean)
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")


class GroupNodeRow(Base):
    """An identifier in a group found by network analysis, with its inferred role."""

    __tablename__ = "group_nodes"
    __table_args__ = (UniqueConstraint("group_id", "node", name="uq_group_node"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    node: Mapped[str] = mapped_column(String(200), index=True)  # graph key: tel:…, acct:…
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    confidence: Mapped[float | None] = mapped_column(Float)  # that it belongs; None: not assessed

"""The dissuasion queue (劝阻): people to warn while a scam is under way, and the
identifiers watched for on arrival."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scamnet.store.tables.base import Base
from scamnet.store.types import UtcDateTime


class DissuasionRow(Base):
    """One person to warn: who, contacted by which identifier, when, the risk and advice.

    ``record_key`` is the hash of the contacting record's natural key: a record
    delivered twice (a worker killed before its ack) queues its person once.
    """

    __tablename__ = "dissuasion_queue"
    __table_args__ = (
        Index("ix_dissuasion_agency_status_urgency", "agency", "status", "urgency"),
        Index("ix_dissuasion_victim_contact", "victim", "contact"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = mapped_column(String(64), unique=True)
    agency: Mapped[str] = mapped_column(String(32))
    victim: Mapped[str] = mapped_column(String(64))  # the number called, or the payer's account
    contact: Mapped[str] = mapped_column(String(2048))  # the scam number or account
    channel: Mapped[str] = mapped_column(String(16))  # call, message, transfer
    contact_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the first contact
    last_contact_at: Mapped[datetime] = mapped_column(UtcDateTime)
    arrived_at: Mapped[datetime] = mapped_column(UtcDateTime)  # when scamnet received it
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    risk: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(64))  # watch list or model that flagged it
    reason: Mapped[str] = mapped_column(Text)
    fraud_type: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(8))
    contacts: Mapped[int] = mapped_column(Integer, default=1)  # contacts by it so far
    urgency: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, taken, closed
    taken_by: Mapped[str | None] = mapped_column(String(64))
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    prevented: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # money stopped
    note: Mapped[str | None] = mapped_column(Text)


class WatchIdentifierRow(Base):
    """An identifier from a partner's watch list, matched on every arriving record."""

    __tablename__ = "watch_identifiers"
    __table_args__ = (UniqueConstraint("identifier", "source", name="uq_watch_identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(2048), index=True)  # E.164, account, wallet
    source: Mapped[str] = mapped_column(String(64))  # the partner or list it came from
    fraud_type: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)

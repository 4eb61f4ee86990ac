"""Cases, their suspects and every status change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scamnet.store.tables.base import Base
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
    handling: Mapped[str] = mapped_column(String(2), default="H1", server_default="H1")


class SuspectRow(Base):
    """A person under investigation in one case, with a role and a lifecycle status."""

    __tablename__ = "suspects"
    __table_args__ = (UniqueConstraint("case_id", "person_id", name="uq_suspect"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    handling: Mapped[str] = mapped_column(String(2), default="H1", server_default="H1")


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

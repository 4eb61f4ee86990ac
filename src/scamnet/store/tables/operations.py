"""Operations with their targets and outcomes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from scamnet.store.tables.base import Base


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

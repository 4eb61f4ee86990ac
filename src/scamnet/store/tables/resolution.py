"""Entity resolution: records in their clusters, and analysts' judgements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scamnet.store.tables.base import Base
from scamnet.store.types import UtcDateTime


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

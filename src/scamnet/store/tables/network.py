"""Groups found by network analysis: their identifiers, roles and confidence."""

from __future__ import annotations

from sqlalchemy import (
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from scamnet.store.tables.base import Base


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

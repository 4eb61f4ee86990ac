"""SQLAlchemy table models. These are storage rows, not the domain objects in ``core``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scamnet.store.types import UtcDateTime

# Deterministic constraint names, so migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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
    role: Mapped[str] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


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

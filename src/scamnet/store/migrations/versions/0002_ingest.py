"""Ingest: the file ledger, person sources, victim reports, warrants, handovers and cells.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "cells",
        sa.Column("cell_id", sa.String(length=64), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("border", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("cell_id", name=op.f("pk_cells")),
    )
    op.create_table(
        "handover_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("crossing", sa.String(length=100), nullable=False),
        sa.Column("from_agency", sa.String(length=64), nullable=False),
        sa.Column("to_agency", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_batches")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_handover_batches_batch_id")),
    )
    op.create_table(
        "ingested_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingested_files")),
        sa.UniqueConstraint("sha256", "kind", name="uq_ingested_file"),
    )
    op.create_table(
        "victim_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bureau", sa.String(length=64), nullable=False),
        sa.Column("fraud_type", sa.String(length=32), nullable=False),
        sa.Column("loss", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("victim_phone", sa.String(length=32), nullable=True),
        sa.Column("scammer_phone", sa.String(length=32), nullable=True),
        sa.Column("scammer_account", sa.String(length=64), nullable=True),
        sa.Column("scammer_url", sa.String(length=2048), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_reports")),
        sa.UniqueConstraint("report_id", name=op.f("uq_victim_reports_report_id")),
    )
    with op.batch_alter_table("victim_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_victim_reports_scammer_account"), ["scammer_account"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_victim_reports_scammer_phone"), ["scammer_phone"], unique=False
        )

    op.create_table(
        "manifest_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("document", sa.String(length=32), nullable=True),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["handover_batches.batch_id"],
            name=op.f("fk_manifest_entries_batch_id_handover_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_manifest_entries_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest_entries")),
        sa.UniqueConstraint("batch_id", "seq", name="uq_manifest_entry"),
    )
    op.create_table(
        "person_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("source_agency", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_sources_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_sources")),
        sa.UniqueConstraint("source_agency", "record_id", name="uq_person_source"),
    )
    with op.batch_alter_table("person_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_sources_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "warrants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warrant_id", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.Date(), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pinyin", sa.String(length=200), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("id_number", sa.String(length=32), nullable=True),
        sa.Column("offence", sa.String(length=500), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_warrants_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warrants")),
        sa.UniqueConstraint("warrant_id", name=op.f("uq_warrants_warrant_id")),
    )
    with op.batch_alter_table("warrants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warrants_id_number"), ["id_number"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("warrants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warrants_id_number"))

    op.drop_table("warrants")
    with op.batch_alter_table("person_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_sources_person_id"))

    op.drop_table("person_sources")
    op.drop_table("manifest_entries")
    with op.batch_alter_table("victim_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_victim_reports_scammer_phone"))
        batch_op.drop_index(batch_op.f("ix_victim_reports_scammer_account"))

    op.drop_table("victim_reports")
    op.drop_table("ingested_files")
    op.drop_table("handover_batches")
    op.drop_table("cells")

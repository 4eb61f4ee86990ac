"""The dissuasion queue (劝阻) fed by the stream, and partners' watch lists of identifiers.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scamnet.store.types import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dissuasion_queue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_key", sa.String(64), nullable=False, unique=True),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("victim", sa.String(64), nullable=False),
        sa.Column("contact", sa.String(2048), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("contact_at", UtcDateTime(), nullable=False),
        sa.Column("last_contact_at", UtcDateTime(), nullable=False),
        sa.Column("arrived_at", UtcDateTime(), nullable=False),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fraud_type", sa.String(32), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("taken_by", sa.String(64), nullable=True),
        sa.Column("taken_at", UtcDateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("outcome_at", UtcDateTime(), nullable=True),
        sa.Column("prevented", sa.Numeric(18, 2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_dissuasion_agency_status_urgency", "dissuasion_queue", ["agency", "status", "urgency"]
    )
    op.create_index("ix_dissuasion_victim_contact", "dissuasion_queue", ["victim", "contact"])
    op.create_table(
        "watch_identifiers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identifier", sa.String(2048), nullable=False, index=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("fraud_type", sa.String(32), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("identifier", "source", name="uq_watch_identifier"),
    )


def downgrade() -> None:
    op.drop_table("watch_identifiers")
    op.drop_index("ix_dissuasion_victim_contact", "dissuasion_queue")
    op.drop_index("ix_dissuasion_agency_status_urgency", "dissuasion_queue")
    op.drop_table("dissuasion_queue")

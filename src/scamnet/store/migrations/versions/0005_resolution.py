"""Entity resolution: resolved records with stable cluster ids, analysts' judgements.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "er_judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid_a", sa.String(length=200), nullable=False),
        sa.Column("uid_b", sa.String(length=200), nullable=False),
        sa.Column("same", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_er_judgements")),
        sa.UniqueConstraint("uid_a", "uid_b", name="uq_er_judgement"),
    )
    op.create_table(
        "resolved_records",
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("cluster_id", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_resolved_records")),
    )
    with op.batch_alter_table("resolved_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resolved_records_cluster_id"), ["cluster_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("resolved_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolved_records_cluster_id"))

    op.drop_table("resolved_records")
    op.drop_table("er_judgements")

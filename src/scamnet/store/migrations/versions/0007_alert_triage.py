"""Alert triage: who an alert is assigned to, and every analyst's verdict with a note.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scamnet.store.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
        batch.create_index("ix_alerts_verdict", ["verdict"])
    op.create_table(
        "alert_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_verdicts_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_verdicts")),
    )
    op.create_index("ix_alert_verdicts_alert_id", "alert_verdicts", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_verdicts_alert_id", table_name="alert_verdicts")
    op.drop_table("alert_verdicts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_verdict")
        batch.drop_column("assignee")

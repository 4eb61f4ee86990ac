"""Warrants carry a handling code, like every record holding personal data (0012 gave
one to cases, suspects, persons, alerts, groups and bundle items): H1 for the warrants
already stored, as those records got.

Revision ID: 0018_warrant_handling
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_warrant_handling"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("warrants") as batch:
        batch.add_column(sa.Column("handling", sa.String(2), nullable=False, server_default="H1"))


def downgrade() -> None:
    with op.batch_alter_table("warrants") as batch:
        batch.drop_column("handling")

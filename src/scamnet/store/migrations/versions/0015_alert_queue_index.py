"""Alerts: an index on (verdict, created_at) for the newest open alerts.

The dashboard lists the newest open alerts on every load; without it SQLite sorted
every open alert (all of them on a fresh instance) to return five.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_verdict_created", "alerts", ["verdict", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_alerts_verdict_created", table_name="alerts")

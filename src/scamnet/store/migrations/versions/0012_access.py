"""Access control: several roles per user, hashed API tokens, login limits and lockout,
sharing rules between agencies, handling codes on personal and operational records,
and the channel a victim report came by.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scamnet.store.types import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_HANDLED = ("cases", "suspects", "persons", "alerts", "groups")


def upgrade() -> None:
    op.create_table(
        "user_roles",
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("role", sa.String(32), primary_key=True),
    )
    op.execute("INSERT INTO user_roles (user_id, role) SELECT id, role FROM users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
        batch.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", UtcDateTime(), nullable=True))
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "agency_shares",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False, index=True),
        sa.Column("grantee", sa.String(64), nullable=False, index=True),
        sa.Column("ceiling", sa.String(2), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    )
    for table in _HANDLED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("handling", sa.String(2), nullable=False, server_default="H1")
            )
    # The citizens' check and the identifier page look alerts up by subject.
    op.create_index("ix_alerts_subject", "alerts", ["subject"])
    with op.batch_alter_table("victim_reports") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(16), nullable=False, server_default="ingest")
        )


def downgrade() -> None:
    op.drop_index("ix_alerts_subject", table_name="alerts")
    with op.batch_alter_table("victim_reports") as batch:
        batch.drop_column("channel")
    for table in _HANDLED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("handling")
    op.drop_table("agency_shares")
    op.drop_table("rate_limits")
    op.drop_table("api_tokens")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(32), nullable=False, server_default="viewer"))
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
    op.execute(
        "UPDATE users SET role = COALESCE((SELECT MIN(role) FROM user_roles"
        " WHERE user_roles.user_id = users.id), 'viewer')"
    )
    op.drop_table("user_roles")

"""Networks: groups found by analysis (origin), their identifiers with roles.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_nodes_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_group_nodes_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_nodes")),
        sa.UniqueConstraint("group_id", "node", name="uq_group_node"),
    )
    with op.batch_alter_table("group_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_nodes_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_nodes_node"), ["node"], unique=False)

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=16), nullable=False, server_default="manual")
        )


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("origin")

    with op.batch_alter_table("group_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_nodes_node"))
        batch_op.drop_index(batch_op.f("ix_group_nodes_group_id"))

    op.drop_table("group_nodes")

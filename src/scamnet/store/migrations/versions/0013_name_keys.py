"""Persons: each name keeps its matching key and forms (romanised), computed once.

Matching a handover manifest blocks known persons on their names' keys; computing
them for every known name on every import took most of the import's time (issue 13).
Existing names are given their keys here.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scamnet.core.names import name_key, stored_forms

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 5_000  # names updated per statement: bounded memory on a large store


def upgrade() -> None:
    with op.batch_alter_table("person_names", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("name_forms", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_names_name_key"), ["name_key"], unique=False)
    names = sa.table(
        "person_names", sa.column("id", sa.Integer), sa.column("text", sa.String),
        sa.column("name_key", sa.Text), sa.column("name_forms", sa.Text),
    )  # fmt: skip
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(names.c.id, names.c.text).where(names.c.id > last)
            .order_by(names.c.id).limit(BATCH)
        ).all()  # fmt: skip
        if not rows:
            break
        bind.execute(
            names.update().where(names.c.id == sa.bindparam("row_id"))
            .values(name_key=sa.bindparam("key"), name_forms=sa.bindparam("forms")),
            [{"row_id": r.id, "key": name_key(r.text), "forms": stored_forms(r.text)}
             for r in rows],
        )  # fmt: skip
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("person_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_names_name_key"))
        batch_op.drop_column("name_forms")
        batch_op.drop_column("name_key")

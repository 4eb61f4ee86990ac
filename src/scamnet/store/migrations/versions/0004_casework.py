"""Casework: cases, suspects, transfer requests, custody, operations, exchange ledger.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundles")),
        sa.UniqueConstraint("bundle_id", name=op.f("uq_bundles_bundle_id")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("origin_ref", sa.String(length=200), nullable=True),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
    )
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
        sa.UniqueConstraint("name", name=op.f("uq_operations_name")),
    )
    op.create_table(
        "partner_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_keys")),
        sa.UniqueConstraint("agency", name=op.f("uq_partner_keys_agency")),
    )
    op.create_table(
        "transfer_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("requesting_agency", sa.String(length=64), nullable=False),
        sa.Column("partner_agency", sa.String(length=64), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_transfer_requests_reference")),
    )
    op.create_table(
        "operation_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_operation_items_operation_id_operations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_items")),
    )
    with op.batch_alter_table("operation_items", schema=None) as batch_op:
        batch_op.create_index("ix_operation_items_op", ["operation_id", "item"], unique=False)

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_publications_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("person_id", name=op.f("uq_publications_person_id")),
    )
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["transfer_requests.id"],
            name=op.f("fk_request_events_request_id_transfer_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_events")),
    )
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_events_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "request_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("document", sa.String(length=32), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_request_persons_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["transfer_requests.id"],
            name=op.f("fk_request_persons_request_id_transfer_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_persons")),
        sa.UniqueConstraint("request_id", "seq", name="uq_request_person"),
    )
    op.create_table(
        "suspects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_suspects_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_suspects_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspects")),
        sa.UniqueConstraint("case_id", "person_id", name="uq_suspect"),
    )
    with op.batch_alter_table("suspects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suspects_person_id"), ["person_id"], unique=False)

    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["manifest_entries.id"],
            name=op.f("fk_custody_events_entry_id_manifest_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
        sa.UniqueConstraint("entry_id", "event", name="uq_custody_event"),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suspect_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["suspect_id"],
            ["suspects.id"],
            name=op.f("fk_status_changes_suspect_id_suspects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_changes_suspect_id"), ["suspect_id"], unique=False
        )

    with op.batch_alter_table("handover_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), nullable=False, server_default="manifest")
        )
        batch_op.add_column(sa.Column("request_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("note", sa.String(length=500), nullable=True))

    with op.batch_alter_table("manifest_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fugitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("declared_role", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("warrant_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("match_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("match_evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("manifest_entries", schema=None) as batch_op:
        batch_op.drop_column("match_evidence")
        batch_op.drop_column("match_score")
        batch_op.drop_column("warrant_id")
        batch_op.drop_column("declared_role")
        batch_op.drop_column("fugitive")

    with op.batch_alter_table("handover_batches", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("request_ref")
        batch_op.drop_column("source")

    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_changes_suspect_id"))

    op.drop_table("status_changes")
    op.drop_table("custody_events")
    with op.batch_alter_table("suspects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspects_person_id"))

    op.drop_table("suspects")
    op.drop_table("request_persons")
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_events_request_id"))

    op.drop_table("request_events")
    op.drop_table("publications")
    with op.batch_alter_table("operation_items", schema=None) as batch_op:
        batch_op.drop_index("ix_operation_items_op")

    op.drop_table("operation_items")
    op.drop_table("transfer_requests")
    op.drop_table("partner_keys")
    op.drop_table("operations")
    op.drop_table("cases")
    op.drop_table("bundles")

"""stored documents follow the policy: a prepared report keeps the facts it was built on,
can be withdrawn, and records its delivery; the host's data protection officer

Revision ID: 0011_stored_documents
Revises: 0010_corrections
Create Date: 2026-11-23 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0011_stored_documents"
down_revision = "0010_corrections"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dpo_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("dpo_contact", sa.String(length=500), nullable=True))
    # Reports released before this revision count as delivered (nothing recorded otherwise)
    op.execute("UPDATE subject_access_requests SET delivered_at = released_at "
               "WHERE status = 'released'")


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("dpo_contact")
        batch_op.drop_column("dpo_name")
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("basis_digest")

"""the subject access requester's postal address (a posted report) and email address (a
download link)

Revision ID: 0016_sar_requester_address
Revises: 0015_audit_tree
Create Date: 2026-11-24 09:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0016_sar_requester_address"
down_revision = "0015_audit_tree"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subject_access_requests") as batch:
        batch.add_column(sa.Column("requester_address", sa.String(length=400), nullable=True))
        batch.add_column(sa.Column("requester_email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("subject_access_requests") as batch:
        batch.drop_column("requester_email")
        batch.drop_column("requester_address")

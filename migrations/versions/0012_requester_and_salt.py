"""a subject access request names the requester's own entry on the record; audit details
are digested with a salt that is erased with them

Revision ID: 0012_requester_and_salt
Revises: 0011_stored_documents
Create Date: 2026-11-23 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0012_requester_and_salt"
down_revision = "0011_stored_documents"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requester_carer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_subject_access_requests_requester_carer_id_carers"), "carers",
            ["requester_carer_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("audit_details", schema=None) as batch_op:
        batch_op.add_column(sa.Column("salt", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_details", schema=None) as batch_op:
        batch_op.drop_column("salt")
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_subject_access_requests_requester_carer_id_carers"),
            type_="foreignkey")
        batch_op.drop_column("requester_carer_id")

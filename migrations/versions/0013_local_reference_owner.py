"""a local reference belongs to the organisation that recorded it (shown only there and to
the management team)

Revision ID: 0013_local_reference_owner
Revises: 0012_requester_and_salt
Create Date: 2026-11-23 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0013_local_reference_owner"
down_revision = "0012_requester_and_salt"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_identifiers_organisation_id_organisations"),
                                    "organisations", ["organisation_id"], ["id"])
    # Until now a child had one local reference, typed by whoever recorded the child
    op.execute("UPDATE identifiers SET organisation_id = (SELECT created_by_organisation_id "
               "FROM children WHERE children.id = identifiers.child_id) "
               "WHERE scheme = 'local'")


def downgrade():
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_identifiers_organisation_id_organisations"),
                                 type_="foreignkey")
        batch_op.drop_column("organisation_id")

"""an import's uploaded file in a table of its own: SQLite rewrites a whole row on every
update, and a job's progress is updated thousands of times (10 MB a time, file and all)

Revision ID: 0018_import_uploads
Revises: 0017_outgoing_email
Create Date: 2026-11-24 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0018_import_uploads"
down_revision = "0017_outgoing_email"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_uploads",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["import_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.execute("INSERT INTO import_uploads (job_id, content) "
               "SELECT id, upload FROM import_jobs WHERE upload IS NOT NULL")
    with op.batch_alter_table("import_jobs") as batch:
        batch.drop_column("upload")


def downgrade():
    with op.batch_alter_table("import_jobs") as batch:
        batch.add_column(sa.Column("upload", sa.LargeBinary(), nullable=True))
    op.execute("UPDATE import_jobs SET upload = (SELECT content FROM import_uploads "
               "WHERE import_uploads.job_id = import_jobs.id)")
    op.drop_table("import_uploads")

"""audit log off the lock path: events numbered without a shared row, queued for a
sequencer that seals them into a Merkle tree under signed tree heads

Revision ID: 0015_audit_tree
Revises: 0014_imports
Create Date: 2026-11-24 06:00:00

The chain head (audit_head) goes: it was the row every audited request queued on. Events
written before keep their hash chain (prev_hash) and are queued for sealing like new ones,
so the tree covers the whole history from the sequencer's first run.
"""
from alembic import op
import sqlalchemy as sa


revision = "0015_audit_tree"
down_revision = "0014_imports"
branch_labels = None
depends_on = None

# The tree's leaves and heads are history too: the database refuses to change them.
APPEND_ONLY_DDL = {
    "sqlite": [
        f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
            BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END"""
        for table in ("audit_leaves", "audit_tree_heads") for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        """CREATE FUNCTION audit_tree_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the audit tree is append-only'; END $$""",
    ] + [
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION audit_tree_refuse()"""
        for table in ("audit_leaves", "audit_tree_heads")
    ] + [
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_tree_refuse()"""
        for table in ("audit_leaves", "audit_tree_heads")
    ],
}


def upgrade():
    op.create_table(
        "audit_unsealed",
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_audit_unsealed")),
    )
    op.create_table(
        "audit_leaves",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["audit_events.seq"],
                                name=op.f("fk_audit_leaves_event_seq_audit_events")),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_audit_leaves")),
        sa.UniqueConstraint("event_seq", name=op.f("uq_audit_leaves_event_seq")),
    )
    op.create_table(
        "audit_tree_heads",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_audit_tree_heads")),
    )
    op.execute("INSERT INTO audit_unsealed (event_seq) SELECT seq FROM audit_events")
    op.drop_table("audit_head")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE SEQUENCE audit_event_numbers OWNED BY audit_events.seq")
        op.execute("SELECT setval('audit_event_numbers', COALESCE(max(seq), 0) + 1, false) "
                   "FROM audit_events")
    for statement in APPEND_ONLY_DDL[dialect]:
        op.execute(statement)


def downgrade():
    """Back to the chain head. Events written since 0015 are not chained, so the old
    `audit verify` will name the first of them; the tree and its heads are dropped."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP SEQUENCE audit_event_numbers")
        op.execute("DROP TABLE audit_leaves, audit_tree_heads CASCADE")
        op.execute("DROP FUNCTION audit_tree_refuse()")
    else:
        op.drop_table("audit_leaves")
        op.drop_table("audit_tree_heads")
    op.drop_table("audit_unsealed")
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("hmac", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute("INSERT INTO audit_head (id, last_seq, last_hash) "
               "SELECT 1, COALESCE(max(seq), 0), "
               "COALESCE((SELECT hash FROM audit_events WHERE prev_hash != '' "
               "ORDER BY seq DESC LIMIT 1), '" + "0" * 64 + "') FROM audit_events")

"""The audit trail: append-only, HMAC'd events; erasable personal details apart; the Merkle
tree a sequencer seals them into, and its signed tree heads (services/audit.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """One thing that happened. Never updated or deleted (the database refuses)."""

    __tablename__ = "audit_events"

    # Taken from a sequence (PostgreSQL) or the next number (SQLite, under its write lock)
    # before the insert, so the event's hash covers it; no shared row is locked.
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    on_behalf_of_user_id: Mapped[int | None]
    organisation_id: Mapped[int | None]
    subject_type: Mapped[str | None] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    child_id: Mapped[int | None] = mapped_column(index=True)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    reason_category: Mapped[str | None] = mapped_column(sa.String(40))
    shielded: Mapped[bool] = mapped_column(default=False)
    detail_digest: Mapped[str | None] = mapped_column(sa.String(64))
    # The hash chain of the events written before the Merkle tree (migration 0015); ""
    # since: order and completeness are the tree's now
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of every column above
    hmac: Mapped[str] = mapped_column(sa.String(64))


class AuditDetail(db.Model):
    """An event's personal details (search terms, free text); erasable, never editable."""

    __tablename__ = "audit_details"

    event_seq: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("audit_events.seq"), primary_key=True
    )
    body: Mapped[str | None] = mapped_column(sa.Text)
    # Random, erased with the body: an erased detail's digest then confirms no guess
    salt: Mapped[str | None] = mapped_column(sa.String(32))
    erased_at: Mapped[datetime | None]


class AuditUnsealed(db.Model):
    """An event written but not yet sealed into the tree: the sequencer's queue, written in
    the event's own transaction, emptied as the sequencer seals."""

    __tablename__ = "audit_unsealed"

    event_seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True,
                                           autoincrement=False)


class AuditLeaf(db.Model):
    """An event's place in the Merkle tree, in the order the sequencer sealed it."""

    __tablename__ = "audit_leaves"

    position: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    event_seq: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("audit_events.seq"), unique=True)
    leaf_hash: Mapped[str] = mapped_column(sa.String(64))


class AuditTreeHead(db.Model):
    """A signed tree head: the root of the first tree_size leaves, signed with Ed25519 by
    a key kept outside the database. Append-only like the events."""

    __tablename__ = "audit_tree_heads"

    tree_size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True,
                                           autoincrement=False)
    root_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime]
    signature: Mapped[str] = mapped_column(sa.String(128))
    frontier: Mapped[str] = mapped_column(sa.Text)  # for the sequencer to carry on from

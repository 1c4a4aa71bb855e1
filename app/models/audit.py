"""The audit trail: append-only, hash-chained events; erasable personal details apart."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """One thing that happened. Never updated or deleted (the database refuses)."""

    __tablename__ = "audit_events"

    # Assigned from the chain head under a lock, so there are never gaps or forks.
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
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
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


class AuditHead(db.Model):
    """The single row naming the last event; locked to serialise appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)
    hmac: Mapped[str | None] = mapped_column(sa.String(64))


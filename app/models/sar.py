"""Subject access requests (UK GDPR art. 15): intake, checks and the clock."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import now
from app.extensions import db


class SubjectAccessRequest(db.Model):
    """A parent, carer or young person asking what is held about a child."""

    __tablename__ = "subject_access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), index=True)
    requester_name: Mapped[str] = mapped_column(sa.String(200))
    requester_relationship: Mapped[str] = mapped_column(sa.String(30))
    # where a posted report goes (the letter's recipient address)
    requester_address: Mapped[str | None] = mapped_column(sa.String(400))
    # where a download link is emailed (the passphrase goes another way)
    requester_email: Mapped[str | None] = mapped_column(sa.String(254))
    # The requester's own entry on the record (their data is never withheld from them)
    requester_carer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("carers.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(sa.String(20))
    received_on: Mapped[date]
    id_needed: Mapped[bool] = mapped_column(default=False)
    id_received_on: Mapped[date | None]
    identity_evidence: Mapped[str | None] = mapped_column(sa.String(400))
    responsibility_evidence: Mapped[str | None] = mapped_column(sa.String(400))
    checked_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    checked_on: Mapped[date | None]
    paused_on: Mapped[date | None]
    resumed_on: Mapped[date | None]
    extended: Mapped[bool] = mapped_column(default=False)
    extension_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    extended_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    # Release: the PDF as prepared is what is approved and delivered (kept until destroyed)
    report_pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    prepared_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    prepared_at: Mapped[datetime | None]
    approved_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    delivery: Mapped[str | None] = mapped_column(sa.String(10))  # "post" or "link"
    link_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    link_expires_at: Mapped[datetime | None]
    passphrase_hash: Mapped[str | None] = mapped_column(sa.String(255))
    link_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    # The disclosure facts the prepared report was built on (disclosure.basis_digest): a
    # report whose facts changed before delivery is withdrawn, never delivered
    basis_digest: Mapped[str | None] = mapped_column(sa.String(64))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.String(300))
    delivered_at: Mapped[datetime | None]  # posted, or first downloaded by link
    created_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @property
    def reference(self) -> str:
        """The reference quoted to the requester."""
        return f"SAR-{self.id:05d}"


class CorrectionRequest(db.Model):
    """A request to correct what is held (UK GDPR art. 16), decided and answered by letter."""

    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), index=True)
    subject_access_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subject_access_requests.id"))
    requester_name: Mapped[str] = mapped_column(sa.String(200))
    received_on: Mapped[date]
    what_is_wrong: Mapped[str] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    decision_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    change_made: Mapped[str | None] = mapped_column(sa.String(1000))
    decided_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @property
    def reference(self) -> str:
        """The reference quoted to the requester."""
        return f"COR-{self.id:05d}"

"""Organisations: the host (its admins are the management team) and the settings it serves."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import now
from app.extensions import db


class OrganisationKind(enum.StrEnum):
    """The kinds of organisation the portal serves."""

    independent_school = "independent_school"
    childminder = "childminder"
    voluntary_body = "voluntary_body"
    local_authority = "local_authority"
    other = "other"

    @property
    def label(self) -> str:
        """Plain-English name of the kind."""
        return self.value.replace("_", " ").capitalize()


class Organisation(db.Model):
    """An organisation whose staff use the portal."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=40)
    )
    is_host: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str | None] = mapped_column(sa.String(500))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # The host's data protection officer, printed in subject access reports
    dpo_name: Mapped[str | None] = mapped_column(sa.String(200))
    dpo_contact: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @staticmethod
    def key_for(name: str) -> str:
        """Case- and space-insensitive key used to keep names unique."""
        return " ".join(name.split()).casefold()

"""Imports from a school MIS (CSV or DfE Common Transfer File): the job, with its progress
kept here so that a page can poll it and a killed worker can carry on, and its rows."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db


class ImportStatus(enum.StrEnum):
    """Where an import is: checked, waiting for a person, being applied, or finished."""

    checking = "checking"
    previewed = "previewed"
    applying = "applying"
    applied = "applied"
    abandoned = "abandoned"
    failed = "failed"

    @property
    def label(self) -> str:
        """Plain-English status."""
        return {"checking": "Checking the file", "previewed": "Ready for you to confirm",
                "applying": "Adding the children", "applied": "Done",
                "abandoned": "Abandoned", "failed": "Stopped by an error"}[self.value]


class RowOutcome(enum.StrEnum):
    """What the preview found for a row."""

    new = "new"
    matched = "matched"
    held = "held"                 # more than one likely record: a person decides
    held_management = "held_management"  # a record the importer may not see
    error = "error"
    unchanged = "unchanged"       # matched, and nothing to add
    left_out = "left_out"         # a person chose to leave it out of this import

    @property
    def label(self) -> str:
        """Plain-English outcome."""
        return {"new": "New child", "matched": "Matches a record: your setting is added",
                "held": "For you to decide", "held_management":
                "Held for the management team", "error": "Has errors",
                "unchanged": "Already recorded", "left_out": "Left out"}[self.value]


class ImportJob(db.Model):
    """One uploaded file and what became of it. The file itself (ImportUpload) is deleted
    once its rows are checked, or the import is abandoned."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "csv" or "ctf"
    filename: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[ImportStatus] = mapped_column(
        sa.Enum(ImportStatus, native_enum=False, length=20), default=ImportStatus.checking)
    total_rows: Mapped[int] = mapped_column(default=0)
    rows_checked: Mapped[int] = mapped_column(default=0)
    rows_applied: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]  # a worker holds the job until then
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    started_applying_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(sa.Text)

    user = relationship("User")


class ImportUpload(db.Model):
    """An uploaded file, kept apart from its job's row: a job's progress is written
    thousands of times, and SQLite rewrites the whole row on every update (with the file
    in it, 10 MB a time)."""

    __tablename__ = "import_uploads"

    job_id: Mapped[int] = mapped_column(
        sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)


class ImportRow(db.Model):
    """One row of an import: its checked values (or its errors) and what it matched."""

    __tablename__ = "import_rows"
    __table_args__ = (sa.UniqueConstraint("job_id", "row_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("import_jobs.id", ondelete="CASCADE"),
                                        index=True)
    row_number: Mapped[int]
    outcome: Mapped[RowOutcome] = mapped_column(
        sa.Enum(RowOutcome, native_enum=False, length=20))
    data: Mapped[str | None] = mapped_column(sa.Text)      # JSON, as a draft holds it
    errors: Mapped[str | None] = mapped_column(sa.Text)    # JSON [[column, message], ...]
    child_id: Mapped[int | None]  # the matched record, or the one created
    applied: Mapped[bool] = mapped_column(default=False)

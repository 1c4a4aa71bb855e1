"""What the import's pages show: its progress, and its preview re-projected through the
disclosure policy each time it is shown (a stored preview is a stored document: a record
matched yesterday may be shielded today). The rows' own details come from the importer's
file; an existing record is only ever shown as the duplicate-candidate projection of manual
entry, with the look audited, and only to someone who may open it now."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.core.clock import now
from app.extensions import db
from app.models import Child, ImportJob, ImportRow, ImportStatus, RowOutcome, User
from app.services import audit, disclosure, imports
from app.services.imports import review
from app.services.monitoring import spreadsheet_cell
from app.services.transaction import atomic

PAGE = 50


@dataclass
class Progress:
    """How far the queue has got with an import."""

    status: ImportStatus
    done: int
    total: int
    errors: int
    seconds_left: int | None

    @property
    def working(self) -> bool:
        """Still checking or adding: the page keeps asking."""
        return self.status in (ImportStatus.checking, ImportStatus.applying)

    @property
    def percent(self) -> int:
        """Whole per cent done (0 until the size is known)."""
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def time_left(self) -> str:
        """About how long is left, in words."""
        if self.seconds_left is None:
            return "Working out how long this will take"
        if self.seconds_left < 60:
            return "Less than a minute left"
        minutes = round(self.seconds_left / 60)
        return f"About {minutes} minute{'s' if minutes != 1 else ''} left"


def progress(job: ImportJob) -> Progress:
    """The job's progress, read from the database (any worker, any host may be doing it)."""
    errors = db.session.scalar(sa.select(sa.func.count()).where(
        ImportRow.job_id == job.id, ImportRow.outcome == RowOutcome.error))
    if job.status == ImportStatus.checking:
        done, total, since = job.rows_checked, job.total_rows, job.created_at
    else:
        done, since = job.rows_applied, job.started_applying_at or job.created_at
        total = job.total_rows - errors
    elapsed = (now() - since).total_seconds()
    left = None
    if done and total and elapsed > 0:
        left = int((total - done) * elapsed / done)
    return Progress(job.status, done, total, errors, left)


@dataclass
class Line:
    """A row of the file as the preview shows it."""

    number: int
    name: str
    date_of_birth: date | None
    outcome: RowOutcome
    record_id: int | None = None  # a record the viewer may open now
    candidates: list[disclosure.RowView] = field(default_factory=list)


def _name(data: dict) -> tuple[str, date]:
    details = data["details"]
    return (f"{details['given_names']} {details['family_name']}",
            date.fromisoformat(details["date_of_birth"]))


def lines(user: User, job: ImportJob, outcomes: tuple[RowOutcome, ...],
          page: int = 1) -> tuple[list[Line], int]:
    """One page of the rows with these outcomes, and how many there are."""
    where = (ImportRow.job_id == job.id, ImportRow.outcome.in_(outcomes))
    total = db.session.scalar(sa.select(sa.func.count()).where(*where))
    rows = db.session.scalars(sa.select(ImportRow).where(*where).order_by(
        ImportRow.row_number).offset((page - 1) * PAGE).limit(PAGE)).all()
    records = {c.id: c for c in db.session.scalars(sa.select(Child).where(
        Child.id.in_([r.child_id for r in rows if r.child_id])))}
    found, unnamed = [], []
    for row in rows:
        name, born = _name(json.loads(row.data)) if row.data else ("", None)
        line = Line(row.row_number, name, born, row.outcome)
        child = records.get(row.child_id)
        if child is not None and disclosure.may_open(user, child):
            line.record_id = child.id
            if not row.data:  # applied: the file's copy is gone; the record says who
                unnamed.append(line)
        elif row.child_id is not None and row.outcome != RowOutcome.new:
            line.outcome = RowOutcome.held_management  # no longer for this viewer
        found.append(line)
    if unnamed:
        _named_by_records(user, unnamed)
    return found, total


@atomic
def _named_by_records(user: User, unnamed: list[Line]) -> None:
    """Name added children from their records (the list-row projection); the look is
    audited as the children list's is."""
    records = {c.id: c for c in db.session.scalars(sa.select(Child).where(
        Child.id.in_([line.record_id for line in unnamed])))}
    named = 0
    for line in unnamed:
        child = records.get(line.record_id)
        if child is None or not disclosure.may_open(user, child):  # closed a moment ago
            line.record_id = None
            continue
        shown = disclosure.project_row(user, child)
        line.name, line.date_of_birth = shown.name, shown.date_of_birth
        named += 1
    audit.record("children.listed", detail={"rows": named})


def held(user: User, job: ImportJob, page: int = 1) -> tuple[list[Line], int]:
    """The rows a person must decide, each with the records it may be as the decider may
    see them now (a row whose candidates they may not all see is for the management
    team). Showing a candidate is a look at its record, so it is audited."""
    found, total = lines(user, job, (RowOutcome.held,), page)
    datas = dict(db.session.execute(sa.select(ImportRow.row_number, ImportRow.data).where(
        ImportRow.job_id == job.id, ImportRow.row_number.in_([f.number for f in found])))
        .tuples().all())
    for line in found:
        line.candidates, unseen = imports.shown_candidates(user, json.loads(datas[line.number]))
        if unseen:
            line.outcome, line.candidates = RowOutcome.held_management, []
    _looked(user, [c for line in found for c in line.candidates])
    return found, total


@atomic
def _looked(user: User, rows: list[disclosure.RowView]) -> None:
    for row in rows:
        audit.record("child.match_shown", child_id=row.id, reason_category="updating_record",
                     shielded=row.shielded)


def errors_csv(job: ImportJob) -> str:
    """The rows with errors as a spreadsheet: row, column, what to put right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Row", "Column", "What to put right"])
    writer.writerows([n, spreadsheet_cell(c), spreadsheet_cell(m)]
                     for n, c, m in review.errors(job.id))
    return out.getvalue()

"""What people do with an import: upload it, look at it, decide the rows held for them,
confirm or abandon it; and what they are told of it (counts, errors). The queue's side of
the work is jobs.py."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.core.errors import NotAllowed, NotFound, Refused
from app.extensions import db
from app.models import ImportJob, ImportRow, ImportStatus, ImportUpload, RowOutcome, User
from app.services import audit, imports
from app.services.transaction import atomic


def find(user: User, job_id: int) -> ImportJob:
    """An import its uploader, or the management team of its setting, may look at."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.organisation_id != user.organisation_id or not (
            job.user_id == user.id or user.is_management):
        raise NotFound()
    return job


def recent(user: User, limit: int = 20) -> list[ImportJob]:
    """The setting's imports, newest first (only your own unless you manage)."""
    query = sa.select(ImportJob).where(ImportJob.organisation_id == user.organisation_id)
    if not user.is_management:
        query = query.where(ImportJob.user_id == user.id)
    return list(db.session.scalars(query.order_by(ImportJob.id.desc()).limit(limit)))


@atomic
def start(user: User, filename: str, content: bytes) -> int:
    """Store an upload to be checked; refuses at once what is plainly not an export."""
    if not imports.may_import(user):
        raise NotAllowed()
    job = ImportJob(organisation_id=user.organisation_id, user_id=user.id,
                    kind=imports.kind_of(content), filename=_plain(filename),
                    status=ImportStatus.checking)
    db.session.add(job)
    db.session.flush()
    db.session.add(ImportUpload(job_id=job.id, content=content))
    audit.record("import.started", subject_type="import", subject_id=job.id,
                 detail={"kind": job.kind, "bytes": len(content)})
    return job.id


def upload_of(job_id: int) -> bytes | None:
    """The uploaded file, while it is kept."""
    return db.session.scalar(sa.select(ImportUpload.content)
                             .where(ImportUpload.job_id == job_id))


def drop_upload(job_id: int) -> None:
    """Delete the uploaded file (its rows are checked, or the import is given up)."""
    db.session.execute(sa.delete(ImportUpload).where(ImportUpload.job_id == job_id))


def _plain(filename: str) -> str:
    name = "".join(ch for ch in (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
                   if ch.isprintable())
    return name.strip()[:200] or "upload"


@atomic
def confirm(user: User, job_id: int) -> None:
    """The person has looked: add the children (the queue does it)."""
    job = find(user, job_id)
    if job.status != ImportStatus.previewed:
        raise Refused("This import is not waiting to be confirmed")
    job.status, job.started_applying_at, job.rows_applied = ImportStatus.applying, now(), 0
    job.user_id = user.id  # whoever confirms is who adds the children
    audit.record("import.confirmed", subject_type="import", subject_id=job.id)


@atomic
def decide_row(user: User, job_id: int, row_number: int, choice: str) -> None:
    """A held row: "new" (a different child from every candidate), "leave" (not now), or
    the id of the candidate it is."""
    job = find(user, job_id)
    if job.status != ImportStatus.previewed:
        raise Refused("This import is not waiting to be confirmed")
    row = db.session.scalar(sa.select(ImportRow).where(ImportRow.job_id == job.id,
                                                       ImportRow.row_number == row_number))
    if row is None or row.data is None or row.outcome == RowOutcome.error:
        raise NotFound()
    if row.outcome == RowOutcome.held_management:
        raise Refused("This pupil is held for the management team: add them by hand once "
                      "the management team has checked")
    data = json.loads(row.data)
    data.pop("decision", None)
    shown = {c.id for c in imports.shown_candidates(user, data)[0]}
    if choice == "new":
        row.outcome, row.child_id = RowOutcome.new, None
        data["decision"] = {"not_same_as": sorted(shown)}
    elif choice == "leave":
        row.outcome, row.child_id = RowOutcome.left_out, None
    elif choice.isdigit() and int(choice) in shown:
        row.outcome, row.child_id = RowOutcome.matched, int(choice)
        data["decision"] = {"same_as": int(choice)}
    else:
        raise Refused("Choose one of the options for this row")
    row.data = json.dumps(data)
    audit.record("import.row_decided", subject_type="import", subject_id=job.id,
                 child_id=row.child_id, reason_category="updating_record",
                 detail={"row": row_number, "decision": choice if not choice.isdigit()
                         else "same"})


@atomic
def abandon(user: User, job_id: int) -> None:
    """Throw the import away: its rows and the file go; nothing was added."""
    job = find(user, job_id)
    if job.status not in (ImportStatus.previewed, ImportStatus.checking):
        raise Refused("Only an import that has not been confirmed can be abandoned")
    _abandon(job)
    audit.record("import.abandoned", subject_type="import", subject_id=job.id)


def _abandon(job: ImportJob) -> None:
    job.status, job.lease_until = ImportStatus.abandoned, None
    drop_upload(job.id)
    job.finished_at = job.updated_at = now()
    db.session.execute(sa.delete(ImportRow).where(ImportRow.job_id == job.id))


@atomic
def expire() -> int:
    """Imports left unconfirmed for IMPORT_KEEP_HOURS are abandoned: the file and the
    rows (children's details) go."""
    before = now() - timedelta(hours=current_app.config["IMPORT_KEEP_HOURS"])
    jobs = list(db.session.scalars(sa.select(ImportJob).where(
        ImportJob.status == ImportStatus.previewed, ImportJob.updated_at < before)))
    for job in jobs:
        _abandon(job)
        audit.record("import.expired", actor_user_id=None, organisation_id=job.organisation_id,
                     subject_type="import", subject_id=job.id)
    return len(jobs)


def counts(job_id: int) -> Counter:
    """How many rows of each outcome the import has (so far)."""
    return Counter(dict(db.session.execute(
        sa.select(ImportRow.outcome, sa.func.count()).where(ImportRow.job_id == job_id)
        .group_by(ImportRow.outcome)).tuples().all()))


def errors(job_id: int, limit: int | None = None) -> list[tuple[int, str, str]]:
    """(row, column, message) of every problem found, in file order."""
    query = (sa.select(ImportRow.row_number, ImportRow.errors)
             .where(ImportRow.job_id == job_id, ImportRow.outcome == RowOutcome.error)
             .order_by(ImportRow.row_number).limit(limit))
    return [(number, column, message) for number, found in db.session.execute(query)
            for column, message in json.loads(found)]

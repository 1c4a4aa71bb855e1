"""An import as a job on the queue: the upload is stored, checked in batches into
import_rows (the preview), decided row by row where a person must, and once confirmed
applied in batches. Every step keeps its progress in the database and holds a lease while
it works, so a page can poll it and a killed worker's job is taken up again (sweep) without
doing anything twice: a row is marked applied in the same unit of work that adds its
child.

The preview is only a preview: each row is matched again when it is applied, and a row
whose candidates changed since is held again rather than guessed."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.core.errors import NotAllowed, NotFound, Refused
from app.extensions import db
from app.models import ImportJob, ImportRow, ImportStatus, RowOutcome, User
from app.services import audit, children, disclosure, imports, matching
from app.services.imports import files
from app.services.transaction import atomic, in_batches

log = logging.getLogger(__name__)
UNFINISHED = (ImportStatus.checking, ImportStatus.applying)
ACTED = (RowOutcome.new, RowOutcome.matched)


def may_import(user: User) -> bool:
    """Data entry, practitioners and the management team import into their setting."""
    return imports.may_import(user)


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
    if not may_import(user):
        raise NotAllowed()
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(content) > limit:
        raise Refused(f"The file is larger than {limit // (1024 * 1024)} MB: export fewer "
                      "pupils at a time")
    job = ImportJob(organisation_id=user.organisation_id, user_id=user.id,
                    kind=files.kind_of(content), filename=_plain(filename), upload=content,
                    status=ImportStatus.checking)
    db.session.add(job)
    db.session.flush()
    audit.record("import.started", subject_type="import", subject_id=job.id,
                 detail={"kind": job.kind, "bytes": len(content)})
    return job.id


def _plain(filename: str) -> str:
    name = "".join(ch for ch in (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
                   if ch.isprintable())
    return name.strip()[:200] or "upload"


# ---- the work: leased, batched, resumable -----------------------------------------------

def _lease_time() -> timedelta:
    return timedelta(seconds=current_app.config["IMPORT_LEASE_SECONDS"])


@atomic
def _lease(job_id: int, status: ImportStatus) -> bool:
    job = db.session.get(ImportJob, job_id, with_for_update=True)
    if job is None or job.status != status or (job.lease_until and job.lease_until > now()):
        return False
    job.lease_until = now() + _lease_time()
    return True


def run(job_id: int) -> None:
    """Do whatever the job is waiting for (the queue's task; safe to run twice at once)."""
    job = db.session.get(ImportJob, job_id)
    status = job.status if job else None
    db.session.rollback()
    work: dict[ImportStatus, Callable[[int], None]] = {ImportStatus.checking: _check,
                                                       ImportStatus.applying: _apply}
    if status in work and _lease(job_id, status):
        try:
            work[status](job_id)
        except Exception:
            db.session.rollback()
            log.exception("import %s stopped", job_id)
            _fail(job_id, "Something went wrong while working on the file. Nothing more "
                          "was added; the rows already added are kept. Try again, or ask "
                          "your administrator to look at the log.")


@atomic
def _fail(job_id: int, why: str) -> None:
    job = db.session.get(ImportJob, job_id)
    job.status, job.failure, job.upload = ImportStatus.failed, why, None
    job.lease_until, job.finished_at = None, now()
    audit.record("import.failed", actor_user_id=job.user_id,
                 organisation_id=job.organisation_id, subject_type="import", subject_id=job.id)


def _check(job_id: int) -> None:
    job = db.session.get(ImportJob, job_id)
    try:
        _, found = imports.read(job.upload)
    except Refused as refused:
        db.session.rollback()
        _fail(job_id, str(refused))
        return
    checker = imports.Checker(job.user)
    done = set()
    for number, data in db.session.execute(sa.select(ImportRow.row_number, ImportRow.data)
                                           .where(ImportRow.job_id == job_id)):
        done.add(number)
        if data:
            checker.remember(number, json.loads(data))
    todo = [(n, cells) for n, cells in found if n not in done]
    db.session.rollback()
    for batch in in_batches(todo, 500):
        _store(job_id, checker.check(batch), len(found))
    _checked(job_id, len(found))


@atomic
def _store(job_id: int, results: list, total: int) -> None:
    db.session.execute(sa.insert(ImportRow), [{
        "job_id": job_id, "row_number": r.number, "outcome": r.outcome,
        "data": json.dumps(r.data) if r.data else None,
        "errors": json.dumps(r.errors) if r.errors else None, "child_id": r.child_id,
        "applied": False} for r in results])
    _progress(job_id, total_rows=total, rows_checked=ImportJob.rows_checked + len(results))


def _progress(job_id: int, **values) -> None:
    db.session.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(
        lease_until=now() + _lease_time(), updated_at=now(), **values))


@atomic
def _checked(job_id: int, total: int) -> None:
    job = db.session.get(ImportJob, job_id)
    job.status, job.upload, job.lease_until = ImportStatus.previewed, None, None
    job.total_rows, job.rows_checked, job.updated_at = total, total, now()


@atomic
def confirm(user: User, job_id: int) -> None:
    """The person has looked: add the children (the queue does it)."""
    job = find(user, job_id)
    if job.status != ImportStatus.previewed:
        raise Refused("This import is not waiting to be confirmed")
    job.status, job.started_applying_at, job.rows_applied = ImportStatus.applying, now(), 0
    job.user_id = user.id  # whoever confirms is who adds the children
    audit.record("import.confirmed", subject_type="import", subject_id=job.id)


def _apply(job_id: int) -> None:
    user = db.session.get(ImportJob, job_id).user
    todo = list(db.session.scalars(
        sa.select(ImportRow.id).where(ImportRow.job_id == job_id,
                                      ImportRow.applied.is_(False),
                                      ImportRow.outcome != RowOutcome.error)
        .order_by(ImportRow.row_number)))
    db.session.rollback()
    index = matching.Index()
    for batch in in_batches(todo):
        _apply_batch(user, job_id, batch, index)
    _applied(job_id)


@atomic
def _apply_batch(user: User, job_id: int, row_ids, index: matching.Index) -> None:
    rows = list(db.session.scalars(sa.select(ImportRow).where(
        ImportRow.id.in_(row_ids), ImportRow.applied.is_(False)).order_by(ImportRow.row_number)))
    datas = {row.id: json.loads(row.data) for row in rows}
    index.refresh()  # records made since the last batch, by anyone, are candidates too
    found, known = imports.match_all(index, datas)
    found = _not_our_own(job_id, found)
    for row in rows:
        data = datas[row.id]
        row.outcome, row.child_id = _final(user, row, data, found[row.id], known)
        if row.outcome == RowOutcome.new:
            row.child_id = children.create_from_draft(
                user, data, not_same_as=data.get("decision", {}).get("not_same_as")).id
        elif row.outcome == RowOutcome.matched:
            children.add_draft_involvements_to(user, known[row.child_id], data)
        elif row.outcome == RowOutcome.held_management:
            for child_id, _ in found[row.id]:
                if not disclosure.may_open(user, known[child_id]):
                    audit.record("child.possible_duplicate", child_id=child_id,
                                 reason_category="updating_record")
        row.applied = True
    _progress(job_id, rows_applied=ImportJob.rows_applied + len(rows))


def _not_our_own(job_id: int, found: dict[int, list]) -> dict[int, list]:
    """Leave out candidates this import made from its own earlier rows: the file lists
    them as different pupils (twins Amelia and Amelie are both in it), and the preview,
    made before either existed, could not have held them."""
    ids = {i for matches in found.values() for i, _ in matches}
    ours = set(db.session.scalars(sa.select(ImportRow.child_id).where(
        ImportRow.job_id == job_id, ImportRow.outcome == RowOutcome.new,
        ImportRow.child_id.in_(sorted(ids))))) if ids else set()
    return {k: [(i, r) for i, r in matches if i not in ours] for k, matches in found.items()}


def _final(user: User, row: ImportRow, data: dict, found, known) -> tuple[RowOutcome, int | None]:
    """The row's outcome now: a person's decision stands while the candidates it was made
    about are still all there are; otherwise the rules decide again."""
    decision = data.get("decision") or {}
    ids = {i for i, _ in found}
    if row.outcome == RowOutcome.left_out:
        return RowOutcome.left_out, None
    if "not_same_as" in decision:
        return (RowOutcome.new, None) if ids <= set(decision["not_same_as"]) \
            else (RowOutcome.held, None)
    if "same_as" in decision:
        child = known.get(decision["same_as"])
        if child is None or not disclosure.may_open(user, child):
            return RowOutcome.held, None
        involved = disclosure.is_involved(user, child)
        return (RowOutcome.unchanged if involved else RowOutcome.matched), child.id
    return imports.decide(user, data, found, known)


@atomic
def _applied(job_id: int) -> None:
    job = db.session.get(ImportJob, job_id)
    found = counts(job_id)
    job.status, job.upload, job.lease_until = ImportStatus.applied, None, None
    job.finished_at = job.updated_at = now()
    db.session.execute(sa.update(ImportRow).where(ImportRow.job_id == job_id)
                       .values(data=None))  # the records hold it now; the rows need not
    audit.record("import.applied", actor_user_id=job.user_id,
                 organisation_id=job.organisation_id, subject_type="import",
                 subject_id=job.id, detail={"kind": job.kind, **{
                     str(k): v for k, v in sorted(found.items())}})


# ---- a person's part: decide held rows, abandon ---------------------------------------

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
    job.status, job.upload, job.lease_until = ImportStatus.abandoned, None, None
    job.finished_at = job.updated_at = now()
    db.session.execute(sa.delete(ImportRow).where(ImportRow.job_id == job.id))


# ---- the queue's housekeeping ------------------------------------------------------------

def stalled() -> list[int]:
    """Unfinished jobs no worker holds (never started, or their worker died)."""
    ids = list(db.session.scalars(sa.select(ImportJob.id).where(
        ImportJob.status.in_(UNFINISHED),
        sa.or_(ImportJob.lease_until.is_(None), ImportJob.lease_until < now()))))
    db.session.rollback()
    return ids


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


# ---- what a page or the command line reports -------------------------------------------

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

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
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
from app.core.errors import Refused
from app.extensions import db
from app.models import ImportJob, ImportRow, ImportStatus, RowOutcome, User
from app.services import audit, children, disclosure, imports, matching
from app.services.imports import review
from app.services.transaction import atomic, in_batches

log = logging.getLogger(__name__)
UNFINISHED = (ImportStatus.checking, ImportStatus.applying)
CHECK_BATCH = 500  # rows checked, then stored in one short transaction
APPLY_BATCH = 200  # rows applied per transaction at most (on SQLite, as many as take
                   # about 10 ms of its write lock: transaction.in_batches)


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
    db.session.execute(sa.update(ImportRow).where(ImportRow.job_id == job_id)
                       .values(data=None))  # no child's details kept for a dead import
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
    for start in range(0, len(todo), CHECK_BATCH):  # the lock is held only to store: no pause
        if not _store(job_id, checker.check(todo[start:start + CHECK_BATCH]), len(found)):
            return  # abandoned meanwhile
    _checked(job_id, len(found))


@atomic
def _store(job_id: int, results: list, total: int) -> bool:
    """Store checked rows; False if the import was abandoned meanwhile. The job's row is
    locked first, so an abandonment either comes before (and is seen) or waits until these
    rows are stored (and deletes them)."""
    if db.session.scalar(sa.select(ImportJob.status).where(ImportJob.id == job_id)
                         .with_for_update()) != ImportStatus.checking:
        return False
    stored = set(db.session.scalars(sa.select(ImportRow.row_number).where(
        ImportRow.job_id == job_id, ImportRow.row_number.in_([r.number for r in results]))))
    results = [r for r in results if r.number not in stored]  # a second worker's, if any
    if not results:
        return True
    db.session.execute(sa.insert(ImportRow), [{
        "job_id": job_id, "row_number": r.number, "outcome": r.outcome,
        "data": json.dumps(r.data) if r.data else None,
        "errors": json.dumps(r.errors) if r.errors else None, "child_id": r.child_id,
        "applied": False} for r in results])
    _progress(job_id, total_rows=total, rows_checked=ImportJob.rows_checked + len(results))
    return True


def _progress(job_id: int, **values) -> None:
    db.session.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(
        lease_until=now() + _lease_time(), updated_at=now(), **values))


@atomic
def _checked(job_id: int, total: int) -> None:
    job = db.session.get(ImportJob, job_id)
    if job.status != ImportStatus.checking:
        return
    job.status, job.upload, job.lease_until = ImportStatus.previewed, None, None
    job.total_rows, job.rows_checked, job.updated_at = total, total, now()


def _apply(job_id: int) -> None:
    user = db.session.get(ImportJob, job_id).user
    todo = list(db.session.scalars(
        sa.select(ImportRow.id).where(ImportRow.job_id == job_id,
                                      ImportRow.applied.is_(False),
                                      ImportRow.outcome != RowOutcome.error)
        .order_by(ImportRow.row_number)))
    db.session.rollback()
    index = matching.Index(growing=True)
    for batch in in_batches(todo, APPLY_BATCH):
        _apply_batch(user, job_id, _prepared(batch, index), index)
    _applied(job_id)


def _prepared(row_ids, index: matching.Index) -> dict[int, dict]:
    """The rows' data, and the records born on their days in the index: read before the
    unit of work, which then holds SQLite's write lock only to match again and write.
    (Once an import is applying its rows' data no longer change.)"""
    datas = {row_id: json.loads(data) for row_id, data in db.session.execute(
        sa.select(ImportRow.id, ImportRow.data).where(ImportRow.id.in_(row_ids)))}
    index.load(imports.days(datas.values()), set())
    db.session.rollback()  # end the read
    return datas


@atomic
def _apply_batch(user: User, job_id: int, prepared: dict[int, dict],
                 index: matching.Index) -> None:
    rows = list(db.session.scalars(sa.select(ImportRow).where(  # a second worker (its lease
        ImportRow.id.in_(sorted(prepared)), ImportRow.applied.is_(False))  # ran out) skips
        .order_by(ImportRow.row_number).with_for_update(skip_locked=True)))   # these
    datas = {row.id: prepared[row.id] for row in rows}
    index.refresh()  # records made since the last batch, by anyone, are candidates too
    found, known = imports.match_all(index, datas)
    found = _not_our_own(job_id, found)
    for row in rows:
        data = datas[row.id]
        row.outcome, row.child_id = _final(user, row, data, found[row.id], known)
        if row.outcome == RowOutcome.matched:
            children.add_draft_involvements_to(user, known[row.child_id], data)
        elif row.outcome == RowOutcome.held_management:
            for child_id, _ in found[row.id]:
                if not disclosure.may_open(user, known[child_id]):
                    audit.record("child.possible_duplicate", child_id=child_id,
                                 reason_category="updating_record")
        row.applied = True
    new = [row for row in rows if row.outcome == RowOutcome.new]
    made = children.create_many(user, [
        (datas[row.id], datas[row.id].get("decision", {}).get("not_same_as")) for row in new])
    for row, child_id in zip(new, made, strict=True):
        row.child_id = child_id
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
    found = review.counts(job_id)
    job.status, job.upload, job.lease_until = ImportStatus.applied, None, None
    job.finished_at = job.updated_at = now()
    db.session.execute(sa.update(ImportRow).where(ImportRow.job_id == job_id)
                       .values(data=None))  # the records hold it now; the rows need not
    audit.record("import.applied", actor_user_id=job.user_id,
                 organisation_id=job.organisation_id, subject_type="import",
                 subject_id=job.id, detail={"kind": job.kind, **{
                     str(k): v for k, v in sorted(found.items())}})


def stalled() -> list[int]:
    """Unfinished jobs no worker holds (never started, or their worker died)."""
    ids = list(db.session.scalars(sa.select(ImportJob.id).where(
        ImportJob.status.in_(UNFINISHED),
        sa.or_(ImportJob.lease_until.is_(None), ImportJob.lease_until < now()))))
    db.session.rollback()
    return ids

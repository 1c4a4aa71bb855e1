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
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from itertools import islice

import sqlalchemy as sa
from flask import Flask, current_app

from app.core.clock import now
from app.core.errors import Refused
from app.database import note_written
from app.extensions import db
from app.models import Child, ImportJob, ImportRow, ImportStatus, RowOutcome, User
from app.services import audit, children, disclosure, imports, matching
from app.services.imports import helpers, review
from app.services.transaction import atomic, giving_way, in_batches, unit_sizes

log = logging.getLogger(__name__)
UNFINISHED = (ImportStatus.checking, ImportStatus.applying)
CHECK_BATCH = 500  # rows checked, then stored in one transaction, at most
APPLY_BATCH = 200  # rows applied per transaction at most (on SQLite, both as many as
                   # hold its write lock about 10 ms: transaction.unit_sizes)


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
    job.status, job.failure = ImportStatus.failed, why
    review.drop_upload(job_id)
    job.lease_until, job.finished_at = None, now()
    db.session.execute(sa.update(ImportRow).where(ImportRow.job_id == job_id)
                       .values(data=None))  # no child's details kept for a dead import
    audit.record("import.failed", actor_user_id=job.user_id,
                 organisation_id=job.organisation_id, subject_type="import", subject_id=job.id)


def _check(job_id: int) -> None:
    job = db.session.get(ImportJob, job_id)
    try:
        _, found = imports.read(review.upload_of(job_id))
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
    checked = imports.checked_in_order(todo)
    try:
        for batch in in_batches(todo, CHECK_BATCH):  # the lock is held only to store
            results = checker.check(batch, list(islice(checked, len(batch))))
            if not giving_way(_store, job_id, results, len(found)):
                return  # abandoned meanwhile
    finally:
        checked.close()  # the helpers stop
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
    db.session.connection().execute(ImportRow.__table__.insert(), [{
        "job_id": job_id, "row_number": r.number, "outcome": r.outcome,
        "data": json.dumps(r.data) if r.data else None,
        "errors": json.dumps(r.errors) if r.errors else None, "child_id": r.child_id,
        "applied": False} for r in results])
    note_written(db.session)
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
    job.status, job.lease_until = ImportStatus.previewed, None
    review.drop_upload(job_id)
    job.total_rows, job.rows_checked, job.updated_at = total, total, now()


def _apply(job_id: int) -> None:
    user = db.session.get(ImportJob, job_id).user
    todo = list(db.session.scalars(
        sa.select(ImportRow.id).where(ImportRow.job_id == job_id,
                                      ImportRow.applied.is_(False),
                                      ImportRow.outcome != RowOutcome.error)
        .order_by(ImportRow.row_number)))
    newcomers = _Newcomers()
    db.session.rollback()
    plans = _plans(user, job_id, todo)
    try:
        for size in unit_sizes(APPLY_BATCH):  # each unit holds SQLite's write lock ~10 ms
            plan = _Plan.merged(list(islice(plans, -(-size // PLAN_ROWS))))
            if not plan.rows:
                break
            made = giving_way(_apply_batch, user, job_id, plan, newcomers)
            newcomers.ours.update(made)  # once committed
    finally:
        plans.close()  # the helper stops
    _applied(job_id)


@dataclass
class _Plan:
    """A batch as read before its unit of work (which then holds SQLite's write lock only
    to check that nothing changed, decide the rows that have candidates, and write)."""

    rows: dict[int, tuple[RowOutcome, dict]]  # row id -> its outcome and data, in order
    found: dict[int, list]  # row id -> the records it may be, when read
    ready: dict[int, children.Prepared]  # row id -> its new record, if it matched nothing
    top_id: int  # the newest record the index held when the plan was made

    @classmethod
    def merged(cls, plans: list[_Plan]) -> _Plan:
        """Consecutive plans as one batch, as old as the oldest of them."""
        return cls({k: v for p in plans for k, v in p.rows.items()},
                   {k: v for p in plans for k, v in p.found.items()},
                   {k: v for p in plans for k, v in p.ready.items()},
                   min((p.top_id for p in plans), default=0))


PLAN_ROWS = 20  # rows read and matched at a time; a unit of work applies one or more


def _plans(user: User, job_id: int, todo: list[int]) -> Generator[_Plan, None, None]:
    """The plan of each PLAN_ROWS rows, in order. A big import's are made by a helper
    process (IMPORT_PLAN_AHEAD) while the consumer applies the batches before them: on two
    cores reading and matching were a third of the apply (its unit of work then waits
    less often for them, and holds the write lock more of the time)."""
    config = current_app.config
    helped = config["IMPORT_PLAN_AHEAD"] if len(todo) >= config["IMPORT_HELPED_ROWS"] else 0
    index = matching.Index(growing=True)
    chunks = [todo[start:start + PLAN_ROWS] for start in range(0, len(todo), PLAN_ROWS)]
    return helpers.in_order(
        chunks, min(helped, 1), partial(_planned, job_id, user.id),
        lambda row_ids: _plan(user, job_id, row_ids, index), _planner_started,
        (db.engine.url.render_as_string(hide_password=False),
         config.get("SQLALCHEMY_ENGINE_OPTIONS", {})), ahead=8,
        instead="the consumer plans the import's batches itself")


def _planner_started(url: str, options: dict) -> None:
    """A planning helper only reads the database: it has no keys, and each plan's read
    is rolled back once the plan is made (_planned)."""
    helpers.lowest_priority()  # the web's pages first
    planner = Flask("teamaround-planner")
    planner.config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    db.init_app(planner)
    planner.app_context().push()


_planner: dict = {}  # in a planning helper: the job it plans, its importer and its index


def _planned(job_id: int, user_id: int, row_ids: list[int]) -> _Plan:
    """_plan() in a planning helper, which keeps one index for the whole import."""
    if _planner.get("job") != job_id:
        user = db.session.get(User, user_id)
        db.session.expunge(user)  # kept as read: only its organisation is asked for
        _planner.update(job=job_id, user=user, index=matching.Index(growing=True))
    try:
        return _plan(_planner["user"], job_id, row_ids, _planner["index"])
    finally:
        db.session.rollback()  # no read kept open: SQLite's log could not start again


def _plan(user: User, job_id: int, row_ids, index: matching.Index) -> _Plan:
    """Read the rows, match them (the index takes in the records made since the last batch,
    this import's own among them) and make ready the records of rows that match nothing.
    (Once an import is applying its rows' data no longer change.)"""
    rows = {row_id: (outcome, json.loads(data)) for row_id, outcome, data in db.session.execute(
        sa.select(ImportRow.id, ImportRow.outcome, ImportRow.data)
        .where(ImportRow.id.in_(row_ids)).order_by(ImportRow.row_number))}
    index.refresh()
    found = _not_our_own(job_id, imports.candidates(
        index, {row_id: data for row_id, (_, data) in rows.items()}))
    return _Plan(rows, found, {row_id: children.prepare(user, data)
                               for row_id, (_, data) in rows.items() if not found[row_id]},
                 index.top_id)


class _Newcomers:
    """The records made by others while an import applies (someone typing a pupil in,
    another import): a plan read before one of them must be matched again under the lock.
    What this run of the apply made itself (ours, added once committed) is no newcomer."""

    _NEWER = sa.select(Child.id).where(Child.id > sa.bindparam("top"))

    def __init__(self):
        self.top = db.session.scalar(sa.select(sa.func.max(Child.id))) or 0  # all seen
        self.ours: set[int] = set()
        self.newest = 0  # the newest record someone else made

    def since(self, top_id: int) -> bool:
        """Someone else made a record after a plan read up to top_id (asked inside the
        unit of work: on SQLite under the write lock)."""
        for child_id in db.session.scalars(self._NEWER, {"top": self.top}):
            if child_id not in self.ours:
                self.newest = max(self.newest, child_id)
            self.top = max(self.top, child_id)
        self.ours.difference_update([i for i in self.ours if i <= self.top])
        return self.newest > top_id


@atomic
def _apply_batch(user: User, job_id: int, plan: _Plan, newcomers: _Newcomers) -> list[int]:
    """Apply a planned batch; returns the ids of the records it made."""
    live = set(db.session.scalars(sa.select(ImportRow.id).where(  # a second worker (its
        ImportRow.id.in_(sorted(plan.rows)), ImportRow.applied.is_(False))  # lease ran out)
        .with_for_update(skip_locked=True)))                                # skips these
    datas = {row_id: data for row_id, (_, data) in plan.rows.items() if row_id in live}
    found = {row_id: plan.found[row_id] for row_id in datas}
    if newcomers.since(plan.top_id):  # someone made a record after the plan was read:
        found = _not_our_own(job_id, imports.candidates(matching.Index(), datas))  # again
    found, known = imports.known_only(found)  # the candidates as they are now
    outcomes = {row_id: _final(user, plan.rows[row_id][0], datas[row_id], found[row_id],
                               known) for row_id in datas}
    for row_id, (outcome, child_id) in outcomes.items():
        if outcome == RowOutcome.matched:
            children.add_draft_involvements_to(user, known[child_id], datas[row_id])
        elif outcome == RowOutcome.held_management:
            for candidate, _ in found[row_id]:
                if not disclosure.may_open(user, known[candidate]):
                    audit.record("child.possible_duplicate", child_id=candidate,
                                 reason_category="updating_record")
    new = [row_id for row_id, (outcome, _) in outcomes.items() if outcome == RowOutcome.new]
    made = children.insert_prepared(user, [(
        plan.ready.get(row_id) or children.prepare(user, datas[row_id]),
        datas[row_id].get("decision", {}).get("not_same_as")) for row_id in new])
    outcomes.update({row_id: (RowOutcome.new, child_id)
                     for row_id, child_id in zip(new, made, strict=True)})
    if outcomes:
        table = ImportRow.__table__
        db.session.connection().execute(
            sa.update(table).where(table.c.id == sa.bindparam("row_id"))
            .values(outcome=sa.bindparam("now"), child_id=sa.bindparam("record"),
                    applied=True),
            [{"row_id": row_id, "now": outcome, "record": child_id}
             for row_id, (outcome, child_id) in outcomes.items()])
        note_written(db.session)
    _progress(job_id, rows_applied=ImportJob.rows_applied + len(outcomes))
    return made


def _not_our_own(job_id: int, found: dict[int, list]) -> dict[int, list]:
    """Leave out candidates this import made from its own earlier rows: the file lists
    them as different pupils (twins Amelia and Amelie are both in it), and the preview,
    made before either existed, could not have held them."""
    ids = {i for matches in found.values() for i, _ in matches}
    ours = set(db.session.scalars(sa.select(ImportRow.child_id).where(
        ImportRow.job_id == job_id, ImportRow.outcome == RowOutcome.new,
        ImportRow.child_id.in_(sorted(ids))))) if ids else set()
    return {k: [(i, r) for i, r in matches if i not in ours] for k, matches in found.items()}


def _final(user: User, outcome: RowOutcome, data: dict, found,
           known) -> tuple[RowOutcome, int | None]:
    """The row's outcome now: a person's decision stands while the candidates it was made
    about are still all there are; otherwise the rules decide again."""
    decision = data.get("decision") or {}
    ids = {i for i, _ in found}
    if outcome == RowOutcome.left_out:
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
    job.status, job.lease_until = ImportStatus.applied, None
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

"""The unit of work: a service call that writes commits once, with its audit events in the
same transaction, and a failure undoes all of it. Calls made inside another join it (only
the outermost commits). Views never commit; they call services.

The outermost call ends whatever read transaction the request had open (unless the caller,
a script, has written in it already: then it joins it) and begins its own as a writer
(app/database.py: IMMEDIATE on SQLite), so a write lock is held only while the service
runs: never while a page renders, and never across slow work that the service does first,
outside the unit (hashing a password, rendering a PDF).

Who acts is the request's signed-in user (services/actor.py). Outside a request (a
command, a job, `flask shell`), a service whose first argument is a user acts as that
user, so its audit events still name who did it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from app.database import GaveWay, may_give_way, unsaved_writes, writer_turn, writing
from app.extensions import db
from app.models import User
from app.services import actor

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
_depth: ContextVar[int] = ContextVar("unit_of_work_depth", default=0)


def atomic(service: Callable[P, R]) -> Callable[P, R]:
    """Run the service as one unit of work (committed on return, rolled back on error; an
    error that says keep = True commits what was done before it is raised)."""
    @wraps(service)
    def unit(*args: P.args, **kwargs: P.kwargs) -> R:
        if _depth.get():
            return service(*args, **kwargs)  # inside another unit: join it
        token = _depth.set(1)
        acting = (actor.begin(args[0], None) if args and isinstance(args[0], User)
                  and actor.current() == actor.NOBODY else None)
        try:
            kept = _end_read()  # before waiting for the lock, not while holding it
            with writer_turn(db.engine):
                began = time.perf_counter()
                try:
                    result = _run(service, args, kwargs, kept)
                finally:
                    _held.seconds = held_seconds() + time.perf_counter() - began
        finally:
            _depth.reset(token)
            if acting is not None:
                actor.end(acting)
        return result
    return unit


def _end_read():
    """End the request's read transaction on SQLite (a reader is never upgraded to a
    writer), keeping what it loaded: nothing expires on commit (app/extensions.py). Called
    after actor.begin, which may load an expired user and so begin a read. The read ends on
    its own connection, which the session keeps for the writer (returned, the session's
    connection to the pool and a new one from it cost 3.5% of a search -> reason -> page
    cycle's instructions); the caller begins the writer on it once its turn comes."""
    if (db.engine.dialect.name == "sqlite" and db.session().in_transaction()
            and not unsaved_writes(db.session())):
        kept = db.session.connection().connection.dbapi_connection
        db.engine.dialect.do_commit(kept)
        return kept
    return None


def _run(service: Callable[P, R], args, kwargs, kept=None) -> R:
    try:
        with writing():
            if kept is not None:  # the writer begins on the read's connection
                db.engine.dialect.do_begin(kept)  # IMMEDIATE (database.SQLiteDialect)
            result = service(*args, **kwargs)
            db.session.commit()
    except BaseException as error:
        if getattr(error, "keep", False):
            with writing():
                db.session.commit()
        else:
            db.session.rollback()
        raise
    return result


_held = threading.local()


def held_seconds() -> float:
    """How long this thread's units of work have held the write lock, in all."""
    return getattr(_held, "seconds", 0.0)


BATCH = 200  # records per unit of work in a long job, at most
UNIT_SECONDS = 0.01  # how long each unit of a long job aims to take on SQLite
_PAUSE = 0.001
LEAST = 10  # records per unit at least: a unit has a cost of its own (reads, commit)


def in_batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """Slices of a long job's work, each to be one unit of work, sized by unit_sizes."""
    start, sizes = 0, unit_sizes(size)
    while start < len(items):
        step = next(sizes)
        yield items[start:start + step]
        start += step


def unit_sizes(size: int = BATCH, first: int = LEAST) -> Iterator[int]:
    """How many records a long job's next unit of work should take, at most size. On SQLite
    each is sized from how long the last held the write lock (or, if it ran no unit of
    work, how long it took; a job may read and prepare a slice outside the lock first), to
    hold it about UNIT_SECONDS: a person saving meanwhile waits for one short unit at most,
    as writers take turns (database.writer_turn) and the next in line is woken the moment
    a unit ends. The job pauses a moment between units, so that a waiting writer's turn
    comes first. A job that runs again and again may start where its last run ended
    (first)."""
    paced = db.engine.dialect.name == "sqlite"
    step = min(size, max(first, LEAST)) if paced else size
    while True:
        began, held = time.perf_counter(), held_seconds()
        yield step
        if paced:
            took = max(held_seconds() - held or time.perf_counter() - began, 1e-4)
            step = max(min(LEAST, size), min(size, 2 * step, int(step * UNIT_SECONDS / took)))
            time.sleep(_PAUSE)


def giving_way(unit: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a long job's unit of work so that a person who starts waiting for SQLite's
    write lock while it runs waits for one statement, not for the whole unit: in a
    background process (the job queue's consumer) the unit stops at its next statement,
    is undone, and runs again after the person's write. Its third try runs to its end
    whoever waits, so that a busy hour cannot hold a job back for ever. The unit must be
    safe to run again (it re-reads what it relies on, as every unit does)."""
    for _ in range(GIVE_WAY_TRIES - 1):
        held = held_seconds()
        try:
            with may_give_way():
                return unit(*args, **kwargs)
        except GaveWay:  # undone: the person writes, then the unit runs again
            _held.seconds = held  # and unit_sizes sizes units by the try that runs
    return unit(*args, **kwargs)  # the last try runs to its end


GIVE_WAY_TRIES = 3


def discard() -> None:
    """Undo whatever the failed request had begun (its refusal or error page changes
    nothing)."""
    db.session.rollback()

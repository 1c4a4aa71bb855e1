"""The unit of work: a service call that writes commits once, with its audit events in the
same transaction, and a failure undoes all of it. Calls made inside another join it (only
the outermost commits). Views never commit; they call services.

The outermost call ends whatever read transaction the request had open and begins its
own as a writer (app/database.py: IMMEDIATE on SQLite), so a write lock is held only while
the service runs: never while a page renders, and never across slow work that the service
does first, outside the unit (hashing a password, rendering a PDF)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from app.database import writing
from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
_depth: ContextVar[int] = ContextVar("unit_of_work_depth", default=0)


def atomic(service: Callable[P, R]) -> Callable[P, R]:
    """Run the service as one unit of work (committed on return, rolled back on error; an
    error that says keep = True commits what was done before it is raised)."""
    @wraps(service)
    def unit(*args: P.args, **kwargs: P.kwargs) -> R:
        if _depth.get():
            return service(*args, **kwargs)  # inside another unit: join it
        if db.session().in_transaction() and db.engine.dialect.name == "sqlite":
            db.session.rollback()  # end the request's read; a reader is never upgraded
        token = _depth.set(1)
        try:
            with writing():
                result = service(*args, **kwargs)
                db.session.commit()
        except BaseException as error:
            if getattr(error, "keep", False):
                with writing():
                    db.session.commit()
            else:
                db.session.rollback()
            raise
        finally:
            _depth.reset(token)
        return result
    return unit


def discard() -> None:
    """Undo whatever the failed request had begun (its refusal or error page changes
    nothing)."""
    db.session.rollback()

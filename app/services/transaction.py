"""The unit of work: a service call that writes commits once, with its audit events in the
same transaction, and a failure undoes all of it. Calls made inside another join it (only
the outermost commits). Views never commit; they call services.

A write lock is therefore held only while the service runs, never while a page renders."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
_depth: ContextVar[int] = ContextVar("unit_of_work_depth", default=0)


def atomic(service: Callable[P, R]) -> Callable[P, R]:
    """Run the service as one unit of work (committed on return, rolled back on error; an
    error that says keep = True commits what was done before it is raised)."""
    @wraps(service)
    def unit(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = _depth.get()
        token = _depth.set(depth + 1)
        try:
            result = service(*args, **kwargs)
        except BaseException as error:
            if depth == 0:
                if getattr(error, "keep", False):
                    db.session.commit()
                else:
                    db.session.rollback()
            raise
        finally:
            _depth.reset(token)
        if depth == 0:
            db.session.commit()
        return result
    return unit


def discard() -> None:
    """Undo whatever the failed request had begun (its refusal or error page changes
    nothing)."""
    db.session.rollback()

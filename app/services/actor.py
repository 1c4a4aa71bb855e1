"""Who is acting, for the audit trail: set once per request by the web layer (or by a
command or job acting as someone), read by audit.record. Services never pass it by hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person acting (None for the system or someone not signed in) and from where."""

    user_id: int | None = None
    organisation_id: int | None = None
    ip: str | None = None


NOBODY = Actor()
_current: ContextVar[Actor] = ContextVar("actor", default=NOBODY)


def current() -> Actor:
    """Who is acting now."""
    return _current.get()


def begin(user, ip: str | None) -> Token:
    """Start acting as user (or as nobody) from ip; returns the token end() needs."""
    if user is None:
        return _current.set(Actor(ip=ip))
    return _current.set(Actor(user.id, user.organisation_id, ip))


def end(token: Token) -> None:
    """Stop acting (the actor before begin() is back)."""
    _current.reset(token)


@contextmanager
def acting(user, ip: str | None = None) -> Iterator[Actor]:
    """Act as user for a block: for commands and jobs that work on someone's behalf."""
    token = begin(user, ip)
    try:
        yield current()
    finally:
        end(token)

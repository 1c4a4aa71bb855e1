"""Engine tuning: SQLite gets WAL, a busy timeout, foreign keys and IMMEDIATE transactions.
And the guard that keeps every write inside a service's unit of work."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def _is_sqlite(dbapi_connection) -> bool:
    return isinstance(dbapi_connection, sqlite3.Connection)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Per-connection SQLite settings; PostgreSQL needs none."""
    if not _is_sqlite(dbapi_connection):
        return
    # Take transaction control from pysqlite so that we can say BEGIN IMMEDIATE ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    """Every SQLite transaction takes the write lock up front.

    Nearly every request writes (an audit event, the session's last-seen time). A DEFERRED
    transaction that reads and then writes can fail with SQLITE_BUSY when another writer
    got in first; IMMEDIATE makes writers queue on busy_timeout instead, which also keeps
    the audit chain from forking. PostgreSQL uses row locks (SELECT ... FOR UPDATE).
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Session, "after_flush")
def _flushed(session, _context):
    """Something was written in this transaction and is not yet committed."""
    session.info["unsaved"] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session):
    session.info.pop("unsaved", None)


def unsaved_writes(session) -> bool:
    """True when a write waits for a commit that no service made (a view wrote directly,
    or a writing service lacks its unit of work): the writes would be lost."""
    return bool(session.info.get("unsaved") or session.new or session.dirty or session.deleted)

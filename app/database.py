"""Engine tuning: SQLite gets WAL, a busy timeout, foreign keys, and transactions that take
the write lock only to write. And the guard that keeps every write inside a service's unit
of work.

SQLite's policy: a transaction begins DEFERRED (a reader: in WAL mode it never waits for a
writer and never blocks one) unless a unit of work is writing (services/transaction.atomic
sets `writing`), which begins IMMEDIATE: the write lock is taken at once, so writers queue
on the busy timeout (10 s) instead of failing when two try to upgrade at once, and the
audit chain never forks. A unit of work starts its own transaction, so no read transaction
of the request is ever upgraded, and no lock is held while a page renders or while a
password is hashed. PostgreSQL uses row locks (SELECT ... FOR UPDATE) instead."""

from __future__ import annotations

import fcntl
import mmap
import os
import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import NamedTuple

from sqlalchemy import Table, event
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

# A commit that leaves more than this many pages in SQLite's write-ahead log copies them
# into the database file itself (and waits for the disk). The consumer's checkpoint does
# that five times a second beside the writers (checkpoint below), so this is only the
# backstop when no consumer runs. An import's apply writes about 10,000 pages a second
# (each unit of work rewrites the index pages it touched), and the log starts again only
# once no reader holds it, so it grows past what one checkpoint copied: at 10,000 pages
# the backstop was reached every second or so, and whoever committed then (an import's
# unit holding the write lock, or a person's reason) copied the pages and waited for the
# disk inside their commit: 87 commits a run over 15 ms, the longest 85 ms; 22 at
# 40,000 (bench/import_roll.py, 100,000 rows).
WAL_PAGES = 40_000  # 160 MB
# Each connection's page cache (SQLite's default is 2 MB): an import's unit of work
# updates a dozen indexes of tables of hundreds of thousands of rows, and with 2 MB it
# read their pages back from the operating system again and again (apply 15% faster).
# Filled only as pages are read; a connection of a small setting stays small.
CACHE_KIB = 32_000


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
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def checkpoint(engine: Engine) -> tuple[int, int] | None:
    """Copy what the write-ahead log holds into the SQLite file, without waiting for any
    reader or writer (PASSIVE): the job queue's consumer does it every 0.2 s. Returns the
    pages in the log and how many of them are now copied (None on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as conn:
        _, logged, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return logged, copied


_writing: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block are writers (IMMEDIATE on SQLite)."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


# After a person's unit of work, background work (an import, the sequencer) waits this long
# before its next one: a person's page writes twice (the reason, then the page's own audit
# event) a few milliseconds apart, and the second waited behind the import's next unit.
GRACE_SECONDS = 0.005


class _Files:
    """One process's open files beside a database: the writers' turn (flock) with the 8
    bytes of shared memory in it, and the waiting room (see _WriterTurns)."""

    def __init__(self, path: str):
        self.pid = os.getpid()
        self.turn = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self.turn).st_size < _STAMP.size:
            os.ftruncate(self.turn, _STAMP.size)
        self.shared = mmap.mmap(self.turn, _STAMP.size)
        self.waiting = os.open(f"{path}-waiting", os.O_RDWR | os.O_CREAT, 0o600)
        self.probe = os.open(f"{path}-waiting", os.O_RDWR)  # its own lock, apart from ours


class _WriterTurns:
    """SQLite's writers take turns here before BEGIN IMMEDIATE: a thread lock within the
    process and an flock on a file beside the database across processes (gunicorn's
    workers, the job queue's consumer, a command). Both wake the next waiter the moment
    the lock is let go, where SQLite's own busy handler sleeps up to 100 ms between tries:
    under load that sleeping, not the work, was most of a request's time. The busy timeout
    still covers a writer that does not take turns (the sqlite3 shell, a migration).

    People come first, twice over:
    - each of their units writes when it ended into the same file (8 bytes, shared
      memory), and a background process (the job queue's consumer, see in_background)
      gives way for GRACE_SECONDS after it before taking its turn;
    - while a person waits for their turn they hold a shared lock on a second file (the
      waiting room), so that a background unit that may give way (transaction.giving_way)
      sees them at its next statement and stops (see someone_waits)."""

    def __init__(self):
        self._guard = threading.Lock()
        self._threads: dict[str, threading.Lock] = {}
        self._files: dict[str, _Files] = {}  # path -> one per process
        self.background = False

    def _thread_lock(self, path: str) -> threading.Lock:
        with self._guard:
            return self._threads.setdefault(path, threading.Lock())

    def _file(self, path: str) -> _Files:
        with self._guard:
            files = self._files.get(path)
            if files is None or files.pid != os.getpid():  # a forked worker opens its own
                files = self._files[path] = _Files(path)
            return files

    @contextmanager
    def taken(self, path: str) -> Iterator[None]:
        with self._thread_lock(path):
            files = self._file(path)
            if self.background:
                self._give_way(files)
                fcntl.flock(files.turn, fcntl.LOCK_EX)
            else:
                fcntl.flock(files.waiting, fcntl.LOCK_SH)  # in the waiting room
                try:
                    fcntl.flock(files.turn, fcntl.LOCK_EX)
                finally:
                    fcntl.flock(files.waiting, fcntl.LOCK_UN)
            try:
                yield
            finally:
                if not self.background:
                    _STAMP.pack_into(files.shared, 0, time.monotonic_ns())
                fcntl.flock(files.turn, fcntl.LOCK_UN)

    def someone_waits(self, path: str) -> bool:
        """A person is waiting for the write lock (two system calls: cheap enough to ask
        before every statement of a unit)."""
        return _in_waiting_room(self._file(path))

    @staticmethod
    def _give_way(files: _Files) -> None:
        """Before a background unit takes its turn: let whoever waits go first (a unit
        that has just stopped for them would otherwise often take the lock back before
        they wake), then leave GRACE_SECONDS after a person's last unit."""
        since = time.monotonic()
        while _in_waiting_room(files) and time.monotonic() - since < GRACE_SECONDS * 4:
            time.sleep(GRACE_SECONDS / 20)
        (ended,) = _STAMP.unpack_from(files.shared, 0)
        wait = (ended - time.monotonic_ns()) / 1e9 + GRACE_SECONDS
        if wait > 0:
            time.sleep(min(wait, GRACE_SECONDS))


_STAMP = struct.Struct("<q")  # when a person's last unit of work ended (monotonic ns)


def _in_waiting_room(files: _Files) -> bool:
    try:
        fcntl.flock(files.probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(files.probe, fcntl.LOCK_UN)
    return False


_turns = _WriterTurns()


def in_background() -> None:
    """This process does background work (the job queue's consumer): its writers give way
    to people's (see _WriterTurns), and its units run inside giving_way stop for a person
    waiting (the check before each statement is made in this process only)."""
    _turns.background = True
    if not event.contains(Engine, "before_cursor_execute", _make_way):
        event.listen(Engine, "before_cursor_execute", _make_way)


class GaveWay(Exception):
    """A background unit of work stopped at a statement because a person was waiting for
    the write lock (it is undone, and run again once they have written)."""


_may_give_way: ContextVar[bool] = ContextVar("may_give_way", default=False)


@contextmanager
def may_give_way(allowed: bool = True) -> Iterator[None]:
    """Units of work begun inside this block stop (GaveWay) at their next statement once a
    person waits for SQLite's write lock; see transaction.giving_way."""
    token = _may_give_way.set(allowed)
    try:
        yield
    finally:
        _may_give_way.reset(token)


def _make_way(conn, _cursor, _statement, _parameters, _context, _executemany):
    if _may_give_way.get() and _writing.get() and conn.dialect.name == "sqlite":
        path = conn.engine.url.database
        if path not in (None, "", ":memory:") and _turns.someone_waits(os.path.abspath(path)):
            raise GaveWay()


def writer_turn(engine: Engine):
    """Wait for this writer's turn (SQLite files; nothing to wait for elsewhere)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return nullcontext()
    return _turns.taken(os.path.abspath(url.database))


class SQLiteDialect(SQLiteDialect_pysqlite):
    """SQLite through pysqlite, beginning a reader DEFERRED and a writer IMMEDIATE (see the
    module's note), said to the driver itself. It is the dialect that says it (registered
    below for sqlite:// addresses) rather than a "begin" event: one listener of any engine
    event makes SQLAlchemy dispatch events around every statement, begin and commit of every
    connection (3.3% of a search -> reason -> page cycle's instructions). SQLite's own trace
    of the connection shows the BEGINs (tests/integration/test_jobs.py)."""

    supports_statement_cache = True

    def do_begin(self, dbapi_connection) -> None:
        """Begin as the unit of work asks: IMMEDIATE inside `writing`, else DEFERRED."""
        dbapi_connection.execute("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


for _name in ("sqlite", "sqlite.pysqlite"):
    registry.register(_name, __name__, "SQLiteDialect")


def note_written(session) -> None:
    """Something was written in this transaction and is not yet committed (a flush says so
    itself; a plain INSERT run through the session must say so here)."""
    session.info["unsaved"] = True


@event.listens_for(Session, "after_flush")
def _flushed(session, _context):
    note_written(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session):
    session.info.pop("unsaved", None)


def unsaved_writes(session) -> bool:
    """True when a write waits for a commit that no service made (a view wrote directly,
    or a writing service lacks its unit of work): the writes would be lost."""
    return bool(session.info.get("unsaved") or session.new or session.dirty or session.deleted)


class _Insert(NamedTuple):
    sql: str
    names: tuple[str, ...]  # the parameters, in the statement's order
    processors: tuple  # each parameter's bind processor (None: given as it is)
    missing: tuple  # (name, default) of each parameter the rows do not give
    positional: bool


_inserts: dict[tuple, _Insert | None] = {}


def _default(table: Table, name: str):
    """The column's default as a function of nothing, if it is a plain value or a Python
    function (what SQLAlchemy would work out for each row); else None."""
    column = table.c.get(name)  # not a column: a parameter of an SQL default
    default = column.default if column is not None else None
    if default is not None and default.is_scalar:
        return lambda: default.arg
    if default is not None and default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy's wrapper of a function of nothing
    return None


def _compiled_insert(dialect, table: Table, given: tuple[str, ...]) -> _Insert | None:
    compiled = table.insert().compile(dialect=dialect, column_keys=list(given))
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    missing = tuple((name, _default(table, name)) for name in names if name not in given)
    if any(default is None for _, default in missing):
        return None
    return _Insert(compiled.string, names,
                   tuple(compiled.binds[name].type.bind_processor(dialect) for name in names),
                   missing, compiled.positional)


def insert_rows(connection: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT rows (dicts with the same keys) in one executemany, as
    connection.execute(table.insert(), rows) would, but with the statement compiled once for
    each table and set of keys and each value put through its column type's bind processor
    directly: SQLAlchemy's own executemany works out every value of every row through the
    compiled statement's machinery, which was a third of an import unit's inserts. Columns
    not given get their defaults, as SQLAlchemy would give them (a table needing another
    kind of default is inserted the usual way). The statement still goes through the
    connection (its events: a background unit still gives way at it)."""
    if not rows:
        return
    dialect = connection.dialect
    key = (dialect.name, dialect.paramstyle, table, tuple(rows[0]))
    if key not in _inserts:
        _inserts[key] = _compiled_insert(dialect, table, key[3])
    insert = _inserts[key]
    if insert is None:
        connection.execute(table.insert(), rows)
        return
    if insert.missing:
        rows = [{**row, **{name: default() for name, default in insert.missing}}
                for row in rows]
    steps = list(zip(insert.names, insert.processors, strict=True))
    if insert.positional:
        values = [tuple(row[n] if p is None else p(row[n]) for n, p in steps) for row in rows]
    else:
        values = [{n: row[n] if p is None else p(row[n]) for n, p in steps} for row in rows]
    # one row (a request's audit event) as a plain execute, not psycopg's executemany
    # pipeline
    connection.exec_driver_sql(insert.sql, values if len(values) > 1 else values[0])

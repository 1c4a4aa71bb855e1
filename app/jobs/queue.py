"""The job queue: Huey, on a SQLite file in instance/ by default (nothing else to run for a
childminder) or on Redis when REDIS_URL is set (several workers, several hosts).

Tasks are declared once, at import time, with `queue.task()` / `queue.periodic(...)`; each
app gets its own Huey (so tests and the CLI can build several apps) and runs each task
inside its app context. A task is a thin call of a service; the service keeps its
progress in our database, so a task killed half-way is simply run again (see
services/imports.py: leases and positions make that safe)."""

from __future__ import annotations

import gc
import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis
from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab

from app import database

log = logging.getLogger(__name__)


@dataclass
class _Declared:
    func: Callable
    schedule: crontab | None
    retries: int


class JobQueue:
    """Tasks declared at import time, bound to a Huey per app by init_app."""

    def __init__(self):
        self._declared: dict[str, _Declared] = {}
        self._startup: list[Callable] = []
        self._companions: list[tuple[Callable, float]] = []

    def task(self, retries: int = 2) -> Callable:
        """Declare a task; `name.enqueue(*args)` queues it for the current app."""
        def declare(func):
            self._declared[func.__name__] = _Declared(func, None, retries)
            return _Handle(func.__name__, func)
        return declare

    def periodic(self, schedule: crontab) -> Callable:
        """Declare a task the consumer runs on a schedule (crontab, in UTC)."""
        def declare(func):
            self._declared[func.__name__] = _Declared(func, schedule, 0)
            return _Handle(func.__name__, func)
        return declare

    def on_startup(self, func: Callable) -> Callable:
        """Run when a consumer's worker starts (e.g. queue again work a killed consumer
        left); also takes a declared task."""
        self._startup.append(func.func if isinstance(func, _Handle) else func)
        return func

    def companion(self, every: float) -> Callable:
        """Declare work a consumer process repeats every `every` seconds in a thread of its
        own, beside the workers (finer than a periodic task's minute, and never holding a
        worker): the audit log's sequencer."""
        def declare(func):
            self._companions.append((func, every))
            return func
        return declare

    def start_companions(self, app: Flask, stop: threading.Event) -> list[threading.Thread]:
        """Start the declared companions for the app; they end when `stop` is set."""
        threads = [threading.Thread(target=_repeat, args=(app, func, every, stop),
                                    name=f"companion-{func.__name__}", daemon=True)
                   for func, every in self._companions]
        for thread in threads:
            thread.start()
        return threads

    def init_app(self, app: Flask) -> None:
        """Make the app's Huey and register every declared task on it."""
        huey = _make_huey(app)
        app.extensions["huey"] = huey
        app.extensions["huey_tasks"] = {
            name: _register(app, huey, name, declared)
            for name, declared in self._declared.items()}
        for func in self._startup:
            huey.on_startup(func.__name__)(_in_context(app, func))


def _make_huey(app: Flask):
    name = app.config.get("JOBS_QUEUE_NAME", "teamaround")
    if app.config.get("REDIS_URL"):
        pool = redis.ConnectionPool.from_url(app.config["REDIS_URL"], socket_timeout=5,
                                             socket_connect_timeout=2)
        return RedisHuey(name, connection_pool=pool, utc=True)
    path = app.config.get("JOBS_DATABASE") or str(Path(app.instance_path) / "jobs.sqlite")
    huey = SqliteHuey(name, filename=path, utc=True, timeout=10, create_tables=False)
    try:
        huey.storage.initialize_schema()
    except sqlite3.Error:  # the web still serves; /healthz names the queue as failing
        log.warning("job queue: cannot open its SQLite file %s", path)
    return huey


def _in_context(app: Flask, func: Callable) -> Callable:
    def run(*args, **kwargs):
        with app.app_context():
            return func(*args, **kwargs)
    run.__name__ = func.__name__
    return run


def _repeat(app: Flask, func: Callable, every: float, stop: threading.Event) -> None:
    """Run func about every `every` seconds until stopped; a failure is logged and the
    next round tries again (a companion never dies of one bad round)."""
    while not stop.is_set():
        began = time.monotonic()
        try:
            with app.app_context():
                func()
        except Exception:
            log.exception("job queue: %s failed; trying again", func.__name__)
        stop.wait(max(0.05, every - (time.monotonic() - began)))


def _register(app: Flask, huey, name: str, declared: _Declared):
    body = _in_context(app, declared.func)
    if declared.schedule is not None:
        return huey.periodic_task(declared.schedule, name=name)(body)
    return huey.task(name=name, retries=declared.retries, retry_delay=5)(body)


class _Handle:
    """What a declared task is called by: enqueue() on the current app's queue, or call it
    directly (the CLI does, to run the same work in the foreground)."""

    def __init__(self, name: str, func: Callable):
        self.name, self.func = name, func

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def enqueue(self, *args, **kwargs):
        """Queue the task for a consumer; returns Huey's result handle."""
        return current_app.extensions["huey_tasks"][self.name](*args, **kwargs)


def huey_of(app: Flask):
    """The app's Huey instance."""
    return app.extensions["huey"]


SWITCH_SECONDS = 0.0005


def settle_process() -> None:
    """Ready a consumer's process for long work beside people's requests. Its writers give
    way to people's (database.in_background). Its threads (the workers, the sequencer,
    the checkpoint) share one interpreter lock, which a unit of work takes back after
    every SQLite call: at Python's default switch interval (5 ms) a unit holding the
    database's write lock waited that long, again and again, while another thread
    matched rows or sealed events, so units of 10 ms took 20 to 200 (79 such units in an
    import of 100,000 rows, 57 at 0.5 ms: bench/import_roll.py). And what the app holds
    from here on is never garbage: one full collection, then those objects are frozen
    out of the later ones, which walked them all (pauses up to 200 ms, some with a write
    lock held)."""
    database.in_background()  # people's writes come first
    sys.setswitchinterval(SWITCH_SECONDS)
    gc.collect()
    gc.freeze()


def consumer(app: Flask, workers: int = 2, periodic: bool = True):
    """A consumer of the app's queue (threads; `flask jobs run` runs one in the foreground)."""
    return huey_of(app).create_consumer(workers=workers, worker_type="thread",
                                        periodic=periodic, initial_delay=0.05,
                                        max_delay=1.0, check_worker_health=True)


def pending(app: Flask) -> int:
    """How many tasks are waiting (also proves the queue's storage answers)."""
    return huey_of(app).pending_count()

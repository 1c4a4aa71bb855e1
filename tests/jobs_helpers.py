"""Running the real job queue in tests: a Huey consumer (threads) on the app's own storage,
SQLite in the test's folder or Redis under a name of its own."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from app.jobs.queue import consumer, huey_of

REDIS_URL = "redis://127.0.0.1:6379/15"
QUEUES = ["sqlite", "redis"]


def queue_config(kind: str) -> dict:
    """App settings for a queue on SQLite (the default) or Redis (a fresh name each time)."""
    if kind == "sqlite":
        return {}
    return {"REDIS_URL": REDIS_URL, "JOBS_QUEUE_NAME": f"test-{uuid.uuid4().hex}"}


@contextmanager
def running_consumer(app, workers: int = 2) -> Iterator[None]:
    """A consumer working while the block runs; stopped gracefully after it."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    worker = consumer(app, workers=workers, periodic=False)
    worker.start()
    try:
        yield
    finally:
        worker.stop(graceful=True)
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        if app.config.get("REDIS_URL"):
            huey_of(app).storage.flush_all()


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    """Poll until condition() is true, or fail the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"waited {seconds} s for {condition.__name__}")

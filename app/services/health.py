"""Is the service able to work: each configured dependency answers. /healthz asks this;
/livez only says the process is up (a load balancer's liveness probe must not restart
workers because the database is briefly away)."""

from __future__ import annotations

from collections.abc import Callable

import redis
import sqlalchemy as sa
from flask import current_app

from app.extensions import db

TIMEOUT = 2  # seconds a dependency has to answer


def _database() -> None:
    try:
        db.session.execute(sa.text("SELECT 1"))
    finally:
        db.session.rollback()


def _redis() -> None:
    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=TIMEOUT,
                                  socket_connect_timeout=TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


def _queue() -> None:
    from app.jobs.queue import pending

    pending(current_app._get_current_object())


def checks() -> dict[str, Callable[[], None]]:
    """The dependencies this deployment is configured with, by name."""
    found = {"database": _database}
    if current_app.config.get("REDIS_URL"):
        found["redis"] = _redis
    found["queue"] = _queue
    return found


def failing() -> list[str]:
    """The configured dependencies that do not answer (none when all do)."""
    down = []
    for name, check in checks().items():
        try:
            check()
        except Exception:  # any failure means it is not usable
            current_app.logger.warning("health check: %s unavailable", name, exc_info=True)
            down.append(name)
    return down

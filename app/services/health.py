"""Is the service able to work: each configured dependency answers. /healthz asks this;
/livez only says the process is up (a load balancer's liveness probe must not restart
workers because the database is briefly away)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import redis
import sqlalchemy as sa
from flask import current_app

from app.core.clock import now
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


def _audit_sealing() -> None:
    """The audit sequencer keeps up: no event waits longer than AUDIT_SEAL_LAG_SECONDS (it
    runs in the job queue's consumer; none running means the log goes unsealed)."""
    from app.models import AuditEvent, AuditUnsealed

    try:
        oldest = db.session.scalar(
            sa.select(sa.func.min(AuditEvent.occurred_at))
            .join(AuditUnsealed, AuditUnsealed.event_seq == AuditEvent.seq))
    finally:
        db.session.rollback()
    lag = timedelta(seconds=current_app.config["AUDIT_SEAL_LAG_SECONDS"])
    if oldest is not None and now() - oldest > lag:
        raise RuntimeError("audit events wait to be sealed: is a job-queue consumer running?")


def checks() -> dict[str, Callable[[], None]]:
    """The dependencies this deployment is configured with, by name."""
    found = {"database": _database}
    if current_app.config.get("REDIS_URL"):
        found["redis"] = _redis
    found["queue"] = _queue
    found["audit sealing"] = _audit_sealing
    return found


def failing() -> list[str]:
    """The configured dependencies that do not answer (none when all do). The audit
    sealing is asked about only while the database answers."""
    down = []
    for name, check in checks().items():
        if name == "audit sealing" and "database" in down:
            continue
        try:
            check()
        except Exception:  # any failure means it is not usable
            current_app.logger.warning("health check: %s unavailable", name, exc_info=True)
            down.append(name)
    return down

"""The queue's tasks: each a thin call of a service, safe to run twice."""

from __future__ import annotations

import logging

from huey import crontab

from app.core.clock import now
from app.jobs import queue
from app.services import drafts, retention

log = logging.getLogger(__name__)


@queue.periodic(crontab(hour="2", minute="30"))
def nightly_retention() -> None:
    """Retention's nightly run (`flask retention run` does the same by hand)."""
    report = retention.run(now().date(), dry_run=False)
    log.info("retention run: %d archived, %d destroyed, %d drafts deleted",
             sum(len(ids) for ids in report.archived.values()), len(report.destroyed),
             report.drafts_deleted)


@queue.periodic(crontab(minute="15"))
def expire_drafts() -> None:
    """Abandoned add-child drafts go within the hour after their day is up."""
    drafts.expire()

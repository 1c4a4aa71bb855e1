"""The queue's tasks: each a thin call of a service, safe to run twice."""

from __future__ import annotations

import logging

from huey import crontab

from app import database
from app.core.clock import now
from app.extensions import db
from app.jobs import queue
from app.services import audit_tree, drafts, mail, notifications, retention
from app.services.imports import jobs as import_jobs
from app.services.imports import review

log = logging.getLogger(__name__)
CHECKPOINT_SECONDS = 0.2


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


@queue.task(retries=0)
def run_import(job_id: int) -> None:
    """Check an uploaded file, or add its children once confirmed (leased: a second run
    of the same job while one works does nothing)."""
    import_jobs.run(job_id)


@queue.on_startup
@queue.periodic(crontab(minute="*"))
def resume_imports() -> None:
    """Take up imports no worker holds: a consumer killed half-way, or a lost message."""
    for job_id in import_jobs.stalled():
        run_import.enqueue(job_id)


@queue.periodic(crontab(minute="45"))
def expire_imports() -> None:
    """Imports nobody confirmed within IMPORT_KEEP_HOURS are abandoned (file and rows go)."""
    review.expire()



@queue.periodic(crontab(hour="7-23", minute="0"))
def daily_digests() -> None:
    """The management team's morning email of what is due (for those who want it): at
    07:00, or at the first hour after it a consumer is running (once a day each)."""
    log.info("daily digests queued: %d", notifications.daily_digests())


@queue.periodic(crontab(hour="3", minute="10"))
def expire_emails() -> None:
    """The record of email sent goes after a year."""
    log.info("email records deleted: %d", mail.expire())


@queue.periodic(crontab(minute="20"))
def give_up_old_emails() -> None:
    """Messages still unsent after 3 days are given up (their links are dead)."""
    mail.give_up_old()


@queue.companion(every=5.0)
def send_email() -> None:
    """Hand what the outbox holds to the SMTP server, retrying failures with backoff."""
    mail.send_due()


@queue.companion(every=CHECKPOINT_SECONDS)
def checkpoint() -> None:
    """Copy SQLite's write-ahead log into the database file five times a second, beside
    the writers rather than inside one's commit, in small steps: an import's log seldom
    reaches the backstop then (database.WAL_PAGES), which would make a commit do it
    (nothing to do on PostgreSQL)."""
    database.checkpoint(db.engine)


@queue.companion(every=1.0)
def seal_audit() -> None:
    """The audit log's sequencer: seal new events into the Merkle tree and sign its head,
    about every second (two consumers' sequencers simply take turns)."""
    audit_tree.seal_all()

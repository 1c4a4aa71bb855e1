"""The job queue (issue 15): real Huey consumers on SQLite and on Redis run our tasks inside
the app; the periodic tasks are the nightly retention, the hourly draft and import
expiry and the sweep for stalled imports; the
queue is in /healthz and `flask jobs status`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.clock import now
from app.extensions import db
from app.jobs import tasks
from app.jobs.queue import huey_of
from app.models import ChildDraft
from tests.integration.children_helpers import events, person
from tests.jobs_helpers import QUEUES, queue_config, running_consumer, wait_for


def _abandoned_draft(app, user_id) -> None:
    with app.app_context():
        db.session.add(ChildDraft(user_id=user_id, data="{}",
                                  created_at=now() - timedelta(days=2), updated_at=now()))
        db.session.commit()


def _drafts(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ChildDraft))


@pytest.mark.parametrize("queue", QUEUES)
def test_a_queued_task_runs_in_a_consumer_inside_the_app(make_app, queue):
    app = make_app(**queue_config(queue))
    _, user_id = person(app, "data_entry", "Hilltop School", "sam@hilltop.example")
    _abandoned_draft(app, user_id)
    with app.app_context():
        tasks.expire_drafts.enqueue()
        assert huey_of(app).pending_count() == 1
    with running_consumer(app):
        wait_for(lambda: _drafts(app) == 0)
    assert len(events(app, "drafts.expired")) == 1
    with app.app_context():
        assert huey_of(app).pending_count() == 0


def test_the_periodic_tasks_are_the_nightly_retention_and_hourly_drafts(app):
    huey = huey_of(app)
    periodic = {t.__name__: t() for t in huey._registry._periodic_tasks}
    assert set(periodic) == {"nightly_retention", "expire_drafts", "resume_imports",
                             "expire_imports", "daily_digests", "expire_emails",
                             "give_up_old_emails"}
    digests = periodic["daily_digests"]  # at 7, and each hour after (sent once a day)
    assert digests.validate_datetime(datetime(2026, 11, 24, 7, 0))
    assert digests.validate_datetime(datetime(2026, 11, 24, 8, 0))
    assert not digests.validate_datetime(datetime(2026, 11, 24, 6, 0))
    assert not digests.validate_datetime(datetime(2026, 11, 24, 7, 30))
    night = datetime(2026, 11, 24, 2, 30)  # Huey asks in UTC
    assert periodic["nightly_retention"].validate_datetime(night)
    assert not periodic["nightly_retention"].validate_datetime(night + timedelta(hours=1))
    assert periodic["expire_drafts"].validate_datetime(night.replace(minute=15))


def test_queue_status_and_health(make_app, tmp_path):
    app = make_app()
    result = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert result.exit_code == 0 and "0 jobs waiting" in result.output
    assert app.test_client().get("/healthz").status_code == 200
    broken = make_app(JOBS_DATABASE=str(tmp_path / "missing" / "jobs.sqlite"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and "queue" in response.get_data(as_text=True)


def test_a_job_acting_as_an_expired_user_takes_the_write_lock_before_reading(sqlite_app):
    """Found by the import bench: a job passes a user whose attributes expired at the last
    commit; loading it (to know who acts) began a deferred read, so the service's writes
    ran in that reader's transaction, and failed at once with "database is locked" when
    another process had written meanwhile (a stale reader cannot be upgraded). The unit of
    work now ends that read and writes in a transaction begun IMMEDIATE."""
    from app.models import User
    from app.services import drafts

    _, user_id = person(sqlite_app, "data_entry", "Hilltop School", "sam@hilltop.example")
    statements = []

    def seen(statement):  # SQLite's own trace: every statement, BEGINs included
        statements.append(statement.split()[0].upper() + (
            " IMMEDIATE" if statement.upper().startswith("BEGIN IMMEDIATE") else ""))

    traced = []

    def trace(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(seen)
        traced.append(dbapi_connection)

    with sqlite_app.app_context():
        user = db.session.get(User, user_id)
        db.session.commit()  # expires the user, as a job's earlier step does (and gives
        # the connection back to the pool: traced when taken again)
        sa.event.listen(db.engine, "checkout", trace)
        try:
            drafts.new_draft(user)
        finally:
            sa.event.remove(db.engine, "checkout", trace)
            for connection in traced:
                connection.set_trace_callback(None)
    first_write = next(i for i, s in enumerate(statements) if s in ("INSERT", "DELETE"))
    begins = [s for s in statements[:first_write] if s.startswith("BEGIN")]
    assert begins[-1] == "BEGIN IMMEDIATE", statements
